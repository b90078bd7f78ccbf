"""Reading the shared datasets in tests, independently of cloudblame's own readers (so the tests
check the library against a second, simple reading of the same files)."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path


def documents(path: Path) -> list:
    """The JSON documents in one file: one document, or JSON lines (bad lines dropped); [] when unreadable."""
    try:
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError):
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    docs = []
    for line in text.splitlines():
        if line.strip():
            try:
                docs.append(json.loads(line))
            except ValueError:
                continue
    return docs


def records_in(doc):
    """Records in a document: {"Records": [...]}, a bare list, one record, or an EventBridge envelope."""
    if isinstance(doc, list):
        for item in doc:
            yield from records_in(item)
    elif isinstance(doc, dict):
        if isinstance(doc.get("Records"), list):
            yield from records_in(doc["Records"])
        elif isinstance(doc.get("detail"), dict) and "eventName" in doc["detail"]:
            yield doc["detail"]
        elif "eventName" in doc:
            yield doc


@cache
def read_records(path: Path) -> tuple:
    return tuple(r for doc in documents(path) for r in records_in(doc))
