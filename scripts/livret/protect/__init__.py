"""What keeps a booklet private: ids and passphrases, safe attachments, allowed URLs and markup.

Used on both sides of the pipeline: while rendering (links, attachments) and when the
built booklet is verified before it is published.
"""
