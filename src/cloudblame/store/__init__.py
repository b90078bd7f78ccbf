"""The store: a directory of Delta Lake tables (store/lake.py, store/tables.py), read through DuckDB over
one published snapshot (store/db.py)."""

from cloudblame.store.db import Store, StoreError, default_db_path

__all__ = ["Store", "StoreError", "default_db_path"]
