"""Run a command and watch it: wall time, CPU time of the whole tree, and peak RSS summed over the tree.

Ingest may fan out to a process pool, so the peak is the largest sum of the resident sets of the process
and all its descendants seen at one poll (every 50 ms by default). psutil does the walking when it is
installed; otherwise /proc is read directly. Shared pages (fork's copy-on-write) count once per process,
so the sum errs high, never low.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is a dev dependency
    psutil = None

POLL_SECONDS = 0.05


@dataclass
class Watched:
    """What one run cost."""

    returncode: int
    wall_s: float
    cpu_s: float  # user + system of the process tree (waited-for descendants)
    peak_rss_bytes: int
    stdout: bytes
    stderr: bytes

    @property
    def cores_used(self) -> float:
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0


def _tree_rss_psutil(pid: int) -> int:
    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def _tree_rss_proc(pid: int) -> int:
    """The same from /proc: parent links from each /proc/N/stat, VmRSS from /proc/N/status."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, now."""
    return _tree_rss_psutil(pid) if psutil is not None else _tree_rss_proc(pid)


def rss_source() -> str:
    return f"psutil {psutil.__version__}" if psutil is not None else "/proc"


def _drain(stream, sink: Callable[[bytes], None]) -> None:
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        sink(chunk)


def run_watched(cmd: list[str], *, stdout_sink: Callable[[bytes], None] | None = None,
                env: dict | None = None, cwd: str | None = None, timeout: float | None = None,
                poll: float = POLL_SECONDS) -> Watched:
    """Run ``cmd`` to its end, polling its tree's RSS. Standard output goes to ``stdout_sink`` chunk by
    chunk when given (a big output is never held), else it is kept and returned."""
    kept_out: list[bytes] = []
    kept_err: list[bytes] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    readers = [threading.Thread(target=_drain, args=(proc.stdout, stdout_sink or kept_out.append), daemon=True),
               threading.Thread(target=_drain, args=(proc.stderr, kept_err.append), daemon=True)]
    for reader in readers:
        reader.start()
    peak = 0
    deadline = started + timeout if timeout else None
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        if deadline and time.perf_counter() > deadline:
            proc.kill()
            break
        time.sleep(poll)
    proc.wait()
    wall = time.perf_counter() - started
    for reader in readers:
        reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Watched(proc.returncode, wall, cpu, peak, b"".join(kept_out), b"".join(kept_err))
