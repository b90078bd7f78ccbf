"""The floor: what reading the same files costs with nothing of cloudblame in the way.

``decompress``: gunzip every file. ``parse``: gunzip and parse each file's JSON with the fastest parser
installed (orjson, else the standard library's json), counting the records. Both spread the file list
over a pool of ``--workers`` processes, as ingest may. Run as a script (by bench/run.py, under the same
watcher as ingest) it prints one JSON line: files, bytes in and out, records, parser.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from multiprocessing import get_context

try:
    import orjson

    PARSER = f"orjson {orjson.__version__}"
    _loads = orjson.loads
except ImportError:  # pragma: no cover
    PARSER = "json (stdlib)"
    _loads = json.loads


def trail_files(root: str) -> list[str]:
    """Every ``.json.gz`` under ``root``, sorted (the same files ingest reads)."""
    found = []
    for folder, _, names in os.walk(root):
        found.extend(os.path.join(folder, n) for n in names if n.endswith(".json.gz"))
    return sorted(found)


def _decompress(path: str) -> tuple[int, int, int]:
    with open(path, "rb") as handle:
        packed = handle.read()
    return len(packed), len(gzip.decompress(packed)), 0


def _parse(path: str) -> tuple[int, int, int]:
    with open(path, "rb") as handle:
        packed = handle.read()
    data = gzip.decompress(packed)
    return len(packed), len(data), len(_loads(data)["Records"])


STAGES = {"decompress": _decompress, "parse": _parse}


def measure(root: str, stage: str, workers: int) -> dict:
    """One stage over every trail file under ``root`` on a pool of ``workers`` processes."""
    files = trail_files(root)
    work = STAGES[stage]
    totals = [0, 0, 0]
    with get_context("fork").Pool(workers) as pool:
        for sizes in pool.imap_unordered(work, files, chunksize=max(1, min(64, len(files) // (workers * 8) or 1))):
            for i, n in enumerate(sizes):
                totals[i] += n
    return {"stage": stage, "workers": workers, "files": len(files), "gzip_bytes": totals[0],
            "json_bytes": totals[1], "records": totals[2], "parser": PARSER if stage == "parse" else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="corpus folder (walked for .json.gz)")
    parser.add_argument("--stage", choices=sorted(STAGES), default="parse")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.root, args.stage, args.workers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
