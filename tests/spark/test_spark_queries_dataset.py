"""The tests of test_spark_queries.py on a real account's trail (../shared/datasets/invictus-aws: creations,
deletions, assumed-role sessions, Terraform and the console): Spark answers as the embedded engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudblame.store import Store
from tests.conftest import build_store, dataset
from tests.spark.test_spark_queries import (  # noqa: F401 - collected here too, on this module's store
    both_engines,
    test_blame,
    test_events,
    test_forgotten,
    test_insights,
    test_inventory,
    test_who,
)

pytest_plugins = ["tests.spark_fixtures"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark) -> Iterator[tuple[Store, Store]]:
    path = dataset("invictus-aws")
    db = tmp_path_factory.mktemp("spark-invictus") / "store"
    store, _ = build_store(db, path)
    store.close()
    yield from both_engines(Path(db), spark)
