"""Acting on what the store knows, through boto3 (the standard credential chain, ``--profile``,
``--region``, ``--endpoint-url``): tag resources with the human and tool that created them, report to
each owner what they left running, notify them, and clean up forgotten resources by plan and apply.
It reads the store through ``queries`` and never writes to it."""
