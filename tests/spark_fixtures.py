"""The one SparkSession every Spark test shares (session-scoped: starting Spark takes seconds): local mode on
two cores, each task tried up to twice (``local[2,2]``: the Spark ingest's retry test makes a first attempt
fail), no web UI, times in UTC, few shuffle partitions. Skipped with the reason when pyspark or Java is missing.

Load it with ``pytest_plugins = ["tests.spark_fixtures"]`` in a Spark test module and take ``spark``."""

from __future__ import annotations

import os
import sys

import pytest

MASTER = "local[2,2]"  # 2 worker threads; a failed task is tried again once
# The executors' Python workers take their environment when Spark starts: fake AWS credentials for the Spark
# ingest's S3 test (its executors download from a moto server; tests.conftest.FAKE_AWS_ENV, set later, is too late).
EXECUTOR_AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}



@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed (the optional extra `spark`)")
    from cloudblame.spark.session import java_found

    if not java_found():
        pytest.skip("no Java (java on PATH or JAVA_HOME): Spark cannot start")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the Python workers run this interpreter (cloudblame in it)
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    running = SparkContext._active_spark_context  # one an earlier test of this process started (the CLI's, in-process)
    if running is not None and running.master != MASTER:
        SparkSession(running).stop()  # its settings are not these (retries, the executors' environment)
    builder = (SparkSession.builder.master(MASTER).appName("cloudblame-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC").config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC"))
    for name, value in EXECUTOR_AWS_ENV.items():
        builder = builder.config(f"spark.executorEnv.{name}", value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("FATAL")
    yield session
    session.stop()


def sample_store(root, records: int):
    """A store (its path) built by the embedded ingest from a sample trail of ``records`` records, under ``root``."""
    from cloudblame.demo import generate_sample_trail
    from tests.conftest import build_store

    generate_sample_trail(root / "trail", records=records)
    store, _ = build_store(root / "store", root / "trail")
    store.close()
    return root / "store"
