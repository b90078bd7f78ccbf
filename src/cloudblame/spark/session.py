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
# Every session cloudblame starts: times read and written as UTC.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
}
# A local session's too: no web UI, no progress bars, few shuffle partitions (a laptop's store, not a
# cluster's). A cluster master (yarn, spark://, k8s://) keeps the cluster's own.
LOCAL_CONF = SESSION_CONF | {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
}
_lock = threading.Lock()


class SparkMissing(UserError):
    """pyspark or Java is not installed: --engine spark cannot run here."""


def java_found() -> bool:
    """Whether a java is on PATH or in JAVA_HOME (Spark's JVM starts from it)."""
    home = os.environ.get("JAVA_HOME")
    return bool(home and os.path.isfile(os.path.join(home, "bin", "java"))) or shutil.which("java") is not None


def spark_session(master: str | None = None) -> SparkSession:
    """The active SparkSession, or one made now on ``master`` (default ``local[N]``, one thread per core; a
    cluster's master, such as ``yarn``, keeps the cluster's settings) and kept for the process. SparkMissing
    when pyspark or Java is missing."""
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
        return _new_session(master or f"local[{os.cpu_count() or 2}]")


def _new_session(master: str) -> SparkSession:
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession

    local = master.startswith("local")
    if local:  # on loopback; the Python workers run this interpreter (the one cloudblame is installed in)
        os.environ.setdefault("SPARK_LOCAL_IP", LOCAL_IP)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("cloudblame")
    for key, value in (LOCAL_CONF if local else SESSION_CONF).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except PySparkRuntimeError as exc:  # the JVM did not start (no usable Java)
        raise SparkMissing(f"{NEEDS} (Spark could not start: {str(exc).splitlines()[0]})") from None
    session.sparkContext.setLogLevel("FATAL")  # a failed query raises; its log lines would repeat it on stderr
    return session
