"""The store's advisory locks (fcntl: released by the kernel when a holder dies, kill -9 included)."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class LockBusy(Exception):
    """A lock still held after the wait (the message says by what)."""


@contextmanager
def hold_writer(root: Path, writer_id: str) -> Iterator[None]:
    """Hold writer ``writer_id``'s registration (a shared lock on its lock file) while the block runs: its
    files are not taken for a dead writer's as long as one holder lives."""
    path = Path(root) / ".writers" / f"{writer_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def lock(fh: IO[str], wait: float | None, busy: str) -> None:
    """An exclusive lock on open file ``fh``, waited for (up to ``wait`` seconds: else LockBusy(``busy``))."""
    if wait is None:
        fcntl.flock(fh, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockBusy(f"{busy} (waited {wait:g}s)") from None
            time.sleep(0.05)
