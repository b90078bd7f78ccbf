"""Where records come from: files on disk (trail files, JSON lines, LookupEvents output, EventBridge copies).

Each source yields ``RawRecord`` items (a record plus where it came from) and ``Problem`` items (what
could not be read, and why). Nothing here knows about the store.
"""
