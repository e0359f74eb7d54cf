"""The last room of the pipeline: where livret may write, and how a booklet goes live.

`folders.py` decides which output folders are allowed and keeps their state files and
the private folders; `swap.py` puts a verified booklet in place atomically.
"""
