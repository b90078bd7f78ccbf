"""Pure functions from one raw CloudTrail record to normalized rows (no I/O, no global state)."""
