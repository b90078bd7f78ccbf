"""Spark local mode beside the embedded ingest: ``cloudblame spark ingest CORPUS --master local[N]`` into a
new store, on the same corpora and the same number of cores, watched like the embedded run (wall time
includes the JVM's start-up, which a cluster pays once per job). Skipped, saying why, where pyspark or
Java is missing. The per-core rate (records/s over the cores given, wall time: the CPU time of Spark's Python
workers escapes the process-tree sampling) is what docs/spark.md sizes clusters from.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

from bench.procwatch import run_watched

MB = 1_000_000
DERIVES = ("spark", "embedded")  # `spark ingest --derive`: where its publish computes the derived tables


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (the optional extra: pip install 'cloudblame[spark]')"
    from cloudblame.spark.session import java_found

    return None if java_found() else "no Java on this machine (Spark needs Java 17+)"


def measure_spark_ingest(command: list[str], trail: Path, db: Path, cores: int, derive: str) -> dict:
    """``cloudblame spark ingest`` of ``trail`` into a new store ``db`` on ``local[cores]``, its derived tables
    computed ``derive`` (spark, embedded), watched."""
    shutil.rmtree(db, ignore_errors=True)
    watched = run_watched(command + ["spark", "ingest", str(trail), "--db", str(db), "--master",
                                     f"local[{cores}]", "--derive", derive, "--format", "json"])
    if watched.returncode != 0:
        return {"status": "failed", "reason": watched.stderr.decode(errors="replace")[-800:]}
    summary = json.loads(watched.stdout)
    summary = summary[0] if isinstance(summary, list) else summary
    wall = watched.wall_s
    return {"status": "ok", "records": summary["records"], "new": summary["new"], "wall_s": wall,
            "cpu_s": watched.cpu_s, "cores_used": watched.cores_used, "peak_rss_bytes": watched.peak_rss_bytes,
            "records_per_s": summary["records"] / wall, "records_per_core_s": summary["records"] / wall / cores}


def bench_spark(command: list[str], sizes: list[dict], work: Path, cores: int, largest: int,
                log) -> dict:
    """Spark ingest of each measured corpus up to ``largest`` records, its derived tables computed on Spark and
    then by DuckDB in the driver (``--derive``), beside its embedded ingest."""
    reason = spark_missing()
    if reason:
        return {"status": "skipped", "reason": reason, "runs": []}
    runs = []
    for size in sizes:
        if size["records_nominal"] > largest:
            continue
        for derive in DERIVES:
            log(f"{size['label']}: spark ingest on local[{cores}], derived on {derive}")
            run = measure_spark_ingest(command, Path(size["corpus_root"]), work / f"{size['label']}-spark-store",
                                       cores, derive)
            embedded = size["ingest"]
            run.update(label=size["label"], derive=derive, embedded_records_per_s=embedded["records_per_s"],
                       embedded_records_per_core_s=embedded["records_per_s"] / cores)
            if run["status"] == "ok" and run["new"] != embedded["new"]:
                run.update(status="differs", reason=f"{run['new']:,} new events, the embedded ingest {embedded['new']:,}")
            runs.append(run)
    return {"status": "ok", "cores": cores, "runs": runs}
