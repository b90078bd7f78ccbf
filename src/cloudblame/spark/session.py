"""The SparkSession cloudblame runs on: the active one when there is one (a cluster's, a notebook's), else a
local one (``local[N]``, one core per worker thread) made once per process and reused: starting Spark takes
seconds, a query on it far less.

pyspark and Java are an optional extra (``pip install 'cloudblame[spark]'``, Java 17+): without them
``spark_session`` raises ``SparkMissing``, a user error with the line that says so.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from typing import TYPE_CHECKING

from cloudblame.core.errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["NEEDS", "SparkMissing", "spark_session"]

NEEDS = "--engine spark needs the optional extra: pip install 'cloudblame[spark]' and Java 17+"
LOCAL_IP = "127.0.0.1"  # a local session listens on loopback only
# A local session's settings: no web UI, no progress bars, times read and written as UTC, few shuffle
# partitions (a laptop's store, not a cluster's).
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
}
_lock = threading.Lock()


class SparkMissing(UserError):
    """pyspark or Java is not installed: --engine spark cannot run here."""


def java_found() -> bool:
    """Whether a java is on PATH or in JAVA_HOME (Spark's JVM starts from it)."""
    home = os.environ.get("JAVA_HOME")
    return bool(home and os.path.isfile(os.path.join(home, "bin", "java"))) or shutil.which("java") is not None


def spark_session(master: str | None = None) -> SparkSession:
    """The active SparkSession, or a local one made now (``master``: ``local[N]``; default one thread per
    core) and kept for the process. SparkMissing when pyspark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkMissing(NEEDS + " (pyspark is not installed)") from None
    with _lock:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        if not java_found():
            raise SparkMissing(NEEDS + " (no java on PATH nor in JAVA_HOME)")
        return _local_session(master or f"local[{os.cpu_count() or 2}]")


def _local_session(master: str) -> SparkSession:
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", LOCAL_IP)
    if master.startswith("local"):  # the Python workers run this interpreter (the one cloudblame is installed in)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("cloudblame")
    for key, value in LOCAL_CONF.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except PySparkRuntimeError as exc:  # the JVM did not start (no usable Java)
        raise SparkMissing(f"{NEEDS} (Spark could not start: {str(exc).splitlines()[0]})") from None
    session.sparkContext.setLogLevel("FATAL")  # a failed query raises; its log lines would repeat it on stderr
    return session
