"""cloudblame on Spark (the optional extra ``cloudblame[spark]``): the queries read a store on Spark, their
SQL transpiled (``SparkStore``, ``to_spark``). Names are imported on first use: importing this package loads
neither pyspark nor sqlglot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Bound now, not on first use: the submodule of the same name would shadow a lazy name once imported (it loads
# neither pyspark nor sqlglot).
from cloudblame.spark.ingest import ingest

__all__ = ["SparkMissing", "SparkStore", "ingest", "spark_session", "to_spark"]

if TYPE_CHECKING:
    from cloudblame.spark.dialect import to_spark
    from cloudblame.spark.session import SparkMissing, spark_session
    from cloudblame.spark.store import SparkStore

_HOMES = {"SparkStore": "cloudblame.spark.store", "to_spark": "cloudblame.spark.dialect",
          "SparkMissing": "cloudblame.spark.session", "spark_session": "cloudblame.spark.session"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'cloudblame.spark' has no attribute {name!r}")
