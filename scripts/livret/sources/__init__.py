"""Reading what a consultant wrote, with positions: YAML with line and column, French messages.

The first room of the pipeline: every later stage reports a problem at the line where
the consultant can fix it, thanks to the positions kept here.
"""
