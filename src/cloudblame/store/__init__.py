"""The store: a directory of Delta Lake tables (store/lake.py, store/tables.py), read through DuckDB over
one published snapshot (store/db.py). Its names are imported on first use, so a process that only writes
data files (an ingest worker: store/files.py) loads neither DuckDB nor delta-rs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Store", "StoreError", "default_db_path"]

if TYPE_CHECKING:
    from cloudblame.store.db import Store, StoreError, default_db_path


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cloudblame.store import db

        return getattr(db, name)
    raise AttributeError(f"module 'cloudblame.store' has no attribute {name!r}")
