"""What a benchmark ran on: CPU, cores, RAM, OS, Python, DuckDB and deltalake (the store's reader and
writer), date, load, and the code's commit."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import deltalake
import duckdb

import cloudblame


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "--no-optional-locks", *args], cwd=root, capture_output=True, text=True,
                              timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def commit_of(root: Path) -> str:
    head = _git(root, "rev-parse", "--short", "HEAD")
    if head is None:
        return "unknown"
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    return f"{head} (+ uncommitted changes)" if dirty else head


def machine_info(root: Path) -> dict[str, str]:
    """Ordered facts for the report's Machine table."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return {
        "CPU": _cpu_model(),
        "Cores": f"{os.cpu_count()} ({usable} usable)",
        "RAM": _ram_gib(),
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "DuckDB": duckdb.__version__,
        "deltalake": deltalake.__version__,
        "cloudblame": f"{cloudblame.__version__}, commit {commit_of(root)}",
        "Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "Load average at start (1, 5, 15 min)": load,
    }
