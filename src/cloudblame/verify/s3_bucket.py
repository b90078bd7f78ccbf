"""A trail bucket on S3, read with a boto3 S3 client; the newest digest's signature is its object
metadata (``x-amz-meta-signature``)."""

from __future__ import annotations

from typing import Any

from cloudblame.sources.files import DATA_SUFFIXES
from cloudblame.verify.objects import Missing, ObjectSource, SourceUnreadable


def _is_not_found(exc: Exception) -> bool:
    resp = getattr(exc, "response", None)
    if isinstance(resp, dict):
        code = str(resp.get("Error", {}).get("Code", ""))
        status = resp.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code in {"NoSuchKey", "404", "NotFound", "NoSuchBucket"} or status == 404
    return False


class S3Bucket(ObjectSource):
    bucket: str

    def __init__(self, client: Any, bucket: str, prefix: str):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix or ""
        self.label = f"s3://{bucket}/{self.prefix}"
        self._meta: dict[tuple[str, str], dict[str, str]] = {}

    def list_objects(self) -> list[str]:
        """The data objects (by suffix, as local discovery) under the prefix; raises ``SourceUnreadable``."""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            keys = [o["Key"] for page in pages for o in page.get("Contents") or []]
        except Exception as exc:  # botocore ClientError / BotoCoreError; keep botocore optional here
            raise SourceUnreadable(f"cannot list {self.label}: {exc}") from exc
        return sorted(k for k in keys if k.lower().endswith(DATA_SUFFIXES))

    def resolve(self, bucket: str | None, key: str) -> tuple[str | None, str] | None:
        return (bucket or self.bucket, str(key))

    def read(self, bucket: str | None, obj: str) -> bytes:
        b = bucket or self.bucket
        try:
            resp = self.client.get_object(Bucket=b, Key=obj)
        except Exception as exc:
            if _is_not_found(exc):
                raise Missing(f"s3://{b}/{obj}") from exc
            raise
        self._meta[(b, obj)] = {str(k).lower(): v for k, v in (resp.get("Metadata") or {}).items()}
        body: bytes = resp["Body"].read()
        return body

    def signature(self, bucket: str | None, obj: str) -> str | None:
        b = bucket or self.bucket
        meta = self._meta.get((b, obj))
        if meta is None:
            try:
                meta = self.client.head_object(Bucket=b, Key=obj).get("Metadata") or {}
            except Exception:  # noqa: BLE001 - unreadable metadata is no metadata: the caller reports it
                return None
            meta = {str(k).lower(): v for k, v in meta.items()}
        sig = meta.get("signature")
        return sig.strip() if isinstance(sig, str) and sig.strip() else None

    def location_error(self, bucket: str | None, obj: str, d_bucket: Any, d_key: Any) -> str | None:
        b = bucket or self.bucket
        if (d_bucket, d_key) != (b, obj):
            return f"digest names s3://{d_bucket}/{d_key} but is stored at s3://{b}/{obj}"
        return None

    def subject(self, bucket: str | None, obj: str) -> str:
        b = bucket or self.bucket
        return obj if b == self.bucket else f"s3://{b}/{obj}"
