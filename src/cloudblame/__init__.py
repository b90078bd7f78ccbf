"""cloudblame: git blame for an AWS account.

Data flows one way: sources -> normalize -> store -> queries -> faces (cli, web).
"""

__version__ = "0.1.0"
