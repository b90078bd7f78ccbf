"""trailscraper side by side: the same trail files through ``trailscraper select --log-dir``.

trailscraper goes into a virtualenv of its own (``pip install trailscraper``), made on first use. Its
``select`` keeps only files delivered and records made between ``--from`` and ``--to`` (default: 1970 to
now), so the run passes a range covering the whole corpus, and the records it prints (one JSON document,
``{"Records": [...]}``) are counted as they stream by, to check it really read every record.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.corpora import Corpus
from bench.procwatch import run_watched

RECORD_MARK = b'"eventID": "'  # once per record in trailscraper's json.dumps output


@dataclass
class PeerRun:
    tool: str
    status: str  # ok | not installed | failed | skipped
    reason: str = ""
    version: str = ""
    wall_s: float | None = None
    cpu_s: float | None = None
    peak_rss_bytes: int | None = None
    records_out: int | None = None


class _MarkCounter:
    """Counts RECORD_MARK in a byte stream fed chunk by chunk (marks may straddle chunks)."""

    def __init__(self) -> None:
        self.count = 0
        self._tail = b""

    def __call__(self, chunk: bytes) -> None:
        data = self._tail + chunk
        self.count += data.count(RECORD_MARK)
        self._tail = data[-(len(RECORD_MARK) - 1):]  # too short to hold a whole mark: never counted twice


def ensure_trailscraper(venv: Path, log=print) -> tuple[Path | None, str]:
    """(the trailscraper executable, its version) or (None, why it could not be installed)."""
    exe = venv / "bin" / "trailscraper"
    if not exe.exists():
        log(f"trailscraper: creating {venv} and installing it from the package index")
        steps = ([sys.executable, "-m", "venv", "--clear", str(venv)],
                 [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                  "trailscraper"])
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=900)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return None, f"{' '.join(step[:3])}: {exc}"
            if done.returncode != 0:
                lines = [ln for ln in (done.stderr or done.stdout).splitlines() if "is ignored" not in ln]
                return None, f"{' '.join(step[-2:])} failed: {' '.join(lines[-3:])[:300]}"
    try:
        version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"trailscraper --version: {exc}"
    return exe, version.rsplit(" ", 1)[-1] if version else "unknown"


def run_trailscraper(venv: Path, corpus: Corpus, log=print) -> PeerRun:
    """``trailscraper select`` over the corpus, watched like ingest."""
    exe, version = ensure_trailscraper(venv, log)
    if exe is None:
        return PeerRun("trailscraper", "not installed", reason=version)
    since = (date.fromisoformat(corpus.start) - timedelta(days=2)).isoformat()
    until = (date.fromisoformat(corpus.end) + timedelta(days=2)).isoformat()
    counter = _MarkCounter()
    log(f"trailscraper {version}: select --log-dir {corpus.root} --from {since} --to {until}")
    watched = run_watched([str(exe), "select", "--log-dir", str(corpus.root), "--from", since, "--to", until],
                          stdout_sink=counter)
    if watched.returncode != 0:
        tail = watched.stderr.decode(errors="replace").strip().splitlines()[-2:]
        return PeerRun("trailscraper", "failed", reason=" ".join(tail)[:300], version=version,
                       wall_s=watched.wall_s, peak_rss_bytes=watched.peak_rss_bytes)
    return PeerRun("trailscraper", "ok", version=version, wall_s=watched.wall_s, cpu_s=watched.cpu_s,
                   peak_rss_bytes=watched.peak_rss_bytes, records_out=counter.count)
