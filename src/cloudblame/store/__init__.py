"""The embedded DuckDB store: the one gateway to the database (schema, versions, writes, reads)."""

from cloudblame.store.db import Store, StoreError, default_db_path

__all__ = ["Store", "StoreError", "default_db_path"]
