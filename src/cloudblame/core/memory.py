"""Handing freed memory back to the operating system between the phases of a long ingest.

Freed Python objects and Arrow buffers stay in their allocators' free lists (measured: a worker grew
from 150 to 200 MB over a 10M-record ingest, and the writer carried ~300 MB from the insert phase
into the rebuilds); returning them keeps the peak resident size that of one phase, not their sum.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from functools import lru_cache

import pyarrow as pa


def release_memory(*, collect: bool = True) -> None:
    """Return what Arrow's pool and the C heap hold free to the OS (first, with ``collect``, collect
    the garbage in reference cycles: a full collection, too slow to run after every small task)."""
    if collect:
        gc.collect()
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        trim: Callable[[int], int] | None = ctypes.CDLL(name).malloc_trim if name else None
        return trim
    except (OSError, AttributeError):
        return None
