"""A local copy of a trail bucket (``aws s3 sync`` output): any folder holding the ``AWSLogs/`` tree, or
the ``AWSLogs`` folder itself. S3 keys named in digests map onto it by their part from ``AWSLogs/`` on.

S3 metadata is not kept by ``aws s3 sync``, so the signature of the newest digest of each chain comes from
``signatures`` (digest key -> hex; the key may be the S3 key, the path relative to the root, or the part
from ``AWSLogs/`` on) or from a sidecar ``<digest file name>.sig`` holding the hex signature, e.g.
``aws s3api head-object --bucket B --key K --query Metadata.signature --output text > K.sig``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cloudblame.sources.files import discover
from cloudblame.verify.objects import Missing, ObjectSource, SourceUnreadable, awslogs_suffix


def _without_gz(suffix: str | None) -> str | None:
    """A decompressed copy keeps the name without ``.gz``."""
    return suffix[:-3] if suffix and suffix.endswith(".gz") else suffix


class LocalCopy(ObjectSource):
    reads_unlisted_logs = True

    def __init__(self, root: Path, signatures: dict[str, str] | None = None):
        self.root = Path(root)
        self.label = str(root)
        if not self.root.is_dir():
            raise SourceUnreadable(f"no such folder: {self.root}")
        self._base = "AWSLogs/" if self.root.name == "AWSLogs" else ""
        self._objects = self._list()
        self._by_suffix: dict[str, str] = {}
        for rel in self._objects:
            suffix = awslogs_suffix(rel)
            if suffix is not None:
                self._by_suffix.setdefault(suffix, rel)
        self._sigs = self._signature_index(signatures or {})

    def _list(self) -> list[str]:
        """Object ids: data files (``sources.files.discover``) relative to the root, prefixed with
        ``AWSLogs/`` when the root is that folder."""
        files, _ = discover([str(self.root)])
        return sorted(self._base + Path(os.path.relpath(f, self.root)).as_posix() for f in files)

    @staticmethod
    def _signature_index(signatures: dict[str, str]) -> dict[str, str]:
        index: dict[str, str] = {}
        for key, sig in signatures.items():
            norm = key.replace("\\", "/")
            index[norm] = sig
            suffix = awslogs_suffix(norm)
            if suffix is not None:
                index.setdefault("suffix:" + suffix, sig)
        return index

    def list_objects(self) -> list[str]:
        return list(self._objects)

    def _path(self, obj: str) -> Path:
        return self.root / obj[len(self._base):]

    def resolve(self, bucket: str | None, key: str) -> tuple[str | None, str] | None:
        suffix = awslogs_suffix(str(key))
        if suffix is None:
            return None
        rel = self._by_suffix.get(suffix) or self._by_suffix.get(_without_gz(suffix) or "")
        return (None, rel) if rel is not None else None

    def read(self, bucket: str | None, obj: str) -> bytes:
        path = self._path(obj)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise Missing(str(path)) from exc

    def signature(self, bucket: str | None, obj: str) -> str | None:
        suffix = awslogs_suffix(obj)
        candidates = (obj, obj[len(self._base):], self._path(obj).as_posix(), f"suffix:{suffix}")
        for cand in candidates:
            if cand in self._sigs:
                return self._sigs[cand].strip()
        path = self._path(obj)
        try:
            text = path.with_name(path.name + ".sig").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return text or None

    def location_error(self, bucket: str | None, obj: str, d_bucket: Any, d_key: Any) -> str | None:
        want = awslogs_suffix(d_key) if isinstance(d_key, str) else None
        have = awslogs_suffix(obj)
        if want is None or _without_gz(want) != _without_gz(have):
            return f"digest names s3://{d_bucket}/{d_key} but is stored at {obj}"
        return None
