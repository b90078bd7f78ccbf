"""CloudTrail's public keys (by fingerprint) and the digest signature check (RSA PKCS#1 v1.5, SHA-256)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from cloudblame.core.errors import BadInput


def _b64_or_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return base64.b64decode(str(value))


def _keys_of(doc: dict[str, Any]) -> dict[str, bytes]:
    if "PublicKeyList" in doc:
        return {str(e["Fingerprint"]).lower(): _b64_or_bytes(e["Value"]) for e in doc["PublicKeyList"] or []}
    return {str(fp).lower(): _b64_or_bytes(value) for fp, value in doc.items()}


def load_public_keys(path: Path) -> dict[str, bytes]:
    """Read public keys from a JSON file: ``fingerprint (lower hex) -> DER bytes``.

    Accepts the output of ``aws cloudtrail list-public-keys``
    (``{"PublicKeyList": [{"Value": base64 DER, "Fingerprint": hex, ...}]}``, several such outputs in
    a JSON list also work) or a plain ``{fingerprint: base64 DER}`` object. Raises OSError or BadInput.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not JSON ({exc})") from None
    out: dict[str, bytes] = {}
    for doc in data if isinstance(data, list) else [data]:
        if not isinstance(doc, dict):
            raise BadInput(f"{path}: unexpected JSON shape")
        try:
            out.update(_keys_of(doc))
        except (KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise BadInput(f"{path}: not a list of public keys ({type(exc).__name__}: {exc})") from None
    return out


def signature_problem(der: bytes, signature_hex: str, message: bytes) -> str | None:
    """None when ``signature_hex`` signs ``message`` with the key ``der``, else what is wrong."""
    try:
        pub = serialization.load_der_public_key(der)
        pub.verify(bytes.fromhex(signature_hex), message, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg,arg-type]
    except InvalidSignature:
        return "does not verify"
    except (ValueError, TypeError, binascii.Error) as exc:
        return f"cannot be checked: {exc}"
    return None


class KeyProvider:
    def lookup(self, fingerprint: str, regions: Iterable[str | None]) -> tuple[bytes | None, str]:
        """(DER key, "") or (None, why there is none)."""
        raise NotImplementedError


class StaticKeys(KeyProvider):
    """Keys given up front (a local copy: ``load_public_keys``)."""

    def __init__(self, keys: dict[str, bytes]):
        self.keys = {str(k).lower(): _b64_or_bytes(v) for k, v in (keys or {}).items()}

    def lookup(self, fingerprint: str, regions: Iterable[str | None]) -> tuple[bytes | None, str]:
        key = self.keys.get(fingerprint.lower())
        return key, ("" if key else f"no public key with fingerprint {fingerprint} among {len(self.keys)} given")


class CloudTrailKeys(KeyProvider):
    """Keys from ``ListPublicKeys`` in the regions that signed the digests, asked once per region."""

    def __init__(self, factory: Callable[[str], Any] | None, start: datetime, end: datetime):
        self.factory = factory
        self.start, self.end = start, end
        self._cache: dict[str, tuple[dict[str, bytes], str]] = {}

    def narrow(self, start: datetime, end: datetime) -> None:
        """Ask ListPublicKeys only for the span of the digests being checked."""
        self.start = max(self.start, start)
        self.end = max(min(self.end, end), self.start)

    def _list(self, region: str) -> dict[str, bytes]:
        client = self.factory(region)  # type: ignore[misc]
        keys: dict[str, bytes] = {}
        kw: dict[str, Any] = {"StartTime": self.start, "EndTime": self.end}
        while True:
            resp = client.list_public_keys(**kw)
            keys.update(_keys_of({"PublicKeyList": resp.get("PublicKeyList", [])}))
            if not resp.get("NextToken"):
                return keys
            kw["NextToken"] = resp["NextToken"]

    def _region_keys(self, region: str) -> tuple[dict[str, bytes], str]:
        if region not in self._cache:
            if self.factory is None:
                self._cache[region] = ({}, "no CloudTrail client factory given")
            else:
                try:
                    self._cache[region] = (self._list(region), "")
                except Exception as exc:  # noqa: BLE001 - any failure to read is reported as a finding, never raised
                    self._cache[region] = ({}, f"ListPublicKeys in {region} failed: {exc}")
        return self._cache[region]

    def lookup(self, fingerprint: str, regions: Iterable[str | None]) -> tuple[bytes | None, str]:
        tried = list(dict.fromkeys(r for r in regions if r))
        errors = []
        for region in tried:
            keys, err = self._region_keys(region)
            if fingerprint.lower() in keys:
                return keys[fingerprint.lower()], ""
            if err:
                errors.append(err)
        msg = f"no public key with fingerprint {fingerprint} from ListPublicKeys in {', '.join(tried)}"
        return None, "; ".join([msg, *errors])
