"""Amazon Security Lake: CloudTrail as OCSF records (Parquet), mapped back to CloudTrail record fields.

Security Lake writes CloudTrail management and data events as OCSF: API Activity (class_uid 6003) in
source version 2 (OCSF 1.1.0; Account Change 3001 and Authentication 3002 for some calls), and in source
version 1 (OCSF 1.0.0-rc.2) the same with ``actor.user.uid`` holding the principal id and
``actor.user.uuid`` the ARN. Fields OCSF has no place for go under ``unmapped``, a map of strings keyed by
the field's dotted path (``readOnly``, ``userIdentity.sessionContext.sessionIssuer.userName``...).

``to_cloudtrail`` is the mapping (pure; docs/formats.md lists it field by field, and what is lost);
``parquet_rows`` reads a Parquet file's rows (pyarrow is imported only when one is read).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from cloudblame.sources.siem import parse_json

# The top-level OCSF attributes the mapping reads (the others, e.g. observables, are not read at all).
COLUMNS = ("time", "time_dt", "class_uid", "class_name", "metadata", "actor", "api", "cloud", "src_endpoint",
           "http_request", "resources", "unmapped", "accountid")
_BOOLEANS = ("readOnly", "managementEvent", "sessionCredentialFromConsole")


class ParquetError(ValueError):
    """A Parquet file that cannot be read, or holds no OCSF records (the message says which)."""


def _obj(parent: object, key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def iso_time(value: object) -> str | None:
    """An OCSF time (epoch milliseconds, a datetime, or ISO text) as CloudTrail writes times
    (``2023-07-10T11:54:42Z``; milliseconds kept when not zero); None for missing or zero."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value:
        when = datetime.fromtimestamp(value / 1000, UTC)
    else:
        return None
    when = when.astimezone(UTC)
    millis = when.microsecond // 1000
    return when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis:03d}Z" if millis else "Z")


def unmapped_fields(value: object) -> dict[str, Any]:
    """Security Lake's ``unmapped`` (a map: dotted path of a CloudTrail field -> its value as text; a
    Parquet map reads as a list of pairs) as nested CloudTrail fields, JSON text of objects parsed."""
    pairs: Iterable[object] = value.items() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    record: dict[str, Any] = {}
    for pair in pairs:
        key, text = pair if isinstance(pair, (tuple, list)) and len(pair) == 2 else (None, None)
        if isinstance(key, str) and key:
            _set_path(record, key.split("."), parse_json(text))
    return record


def _set_path(target: dict[str, Any], parts: list[str], value: object) -> None:
    for part in parts[:-1]:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):  # a value and a path under it both given: keep the value
            return
    last = parts[-1]
    if isinstance(target.get(last), dict) and isinstance(value, dict):
        target[last] = {**value, **target[last]}
    else:
        target[last] = value


def issuer_from_arn(arn: object) -> dict[str, Any]:
    """What a session issuer's ARN says of it, as CloudTrail's ``sessionIssuer`` has it (type, account, name;
    the principal id is not in the ARN): ``arn:aws:iam::111122223333:role/path/Name`` gives a Role Name."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) < 6 or parts[2] != "iam":
        return {}
    kind, _, path = parts[5].partition("/")
    found = {"type": {"role": "Role", "user": "IAMUser", "root": "Root"}.get(kind), "accountId": parts[4] or None,
             "userName": path.rsplit("/", 1)[-1] if path else None}
    return {k: v for k, v in found.items() if v is not None} if found["type"] else {}


def _session_context(session: dict[str, Any], base: object) -> dict[str, Any]:
    """``sessionContext`` from ``actor.session`` (issuer ARN, creation time, MFA) over what ``unmapped``
    kept of it (the issuer's type, principal id, account and name; else what the issuer's ARN says)."""
    context = dict(base) if isinstance(base, dict) else {}
    if session.get("issuer"):
        issuer = session["issuer"]
        context["sessionIssuer"] = {**issuer_from_arn(issuer), **_obj(context, "sessionIssuer"), "arn": issuer}
    attributes = dict(_obj(context, "attributes"))
    created = iso_time(session.get("created_time_dt")) or iso_time(session.get("created_time"))
    if created:
        attributes["creationDate"] = created
    mfa = session.get("is_mfa", session.get("mfa"))
    if isinstance(mfa, bool):
        attributes["mfaAuthenticated"] = "true" if mfa else "false"
    if attributes:
        context["attributes"] = attributes
    return context


def user_identity(actor: dict[str, Any], base: object=None) -> dict[str, Any] | None:
    """``userIdentity`` from ``actor`` (OCSF 1.1: ``user.uid`` the ARN, ``uid_alt`` the principal id,
    ``account.uid``; 1.0.0-rc.2: ``uid`` the principal id, ``uuid`` the ARN, ``account_uid``) over what
    ``unmapped`` kept of it."""
    user, session = _obj(actor, "user"), _obj(actor, "session")
    uid, alt = user.get("uid"), user.get("uid_alt")
    arn = uid if isinstance(uid, str) and uid.startswith("arn:") else user.get("uuid")
    fields = {"type": user.get("type"), "principalId": alt if alt is not None else (None if uid == arn else uid),
              "arn": arn, "accountId": _obj(user, "account").get("uid") or user.get("account_uid"),
              "accessKeyId": user.get("credential_uid"), "userName": user.get("name"),
              "invokedBy": actor.get("invoked_by")}
    identity = {k: v for k, v in fields.items() if v is not None}  # in the order CloudTrail writes them
    identity.update((k, v) for k, v in (base.items() if isinstance(base, dict) else ()) if k not in identity)
    context = _session_context(session, identity.get("sessionContext"))
    idp = _obj(actor, "idp").get("name")
    if idp and context:
        context["webIdFederationData"] = {**_obj(context, "webIdFederationData"), "federatedProvider": idp}
    elif idp:
        identity["identityProvider"] = idp
    if context:
        identity["sessionContext"] = context
    return identity or None


def resources(items: object) -> list[dict[str, Any]] | None:
    """CloudTrail's ``resources`` from OCSF's (``uid`` the ARN, ``type``, ``owner.account.uid`` or
    rc.2's ``account_uid`` the account)."""
    out = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        owner = _obj(item, "owner")
        account = _obj(owner, "account").get("uid") or owner.get("account_uid") or item.get("account_uid")
        pairs = (("accountId", account), ("type", item.get("type")), ("ARN", item.get("uid")))
        entry = {k: v for k, v in pairs if v is not None}
        if entry:
            out.append(entry)
    return out or None


def _mapped(row: dict[str, Any]) -> dict[str, Any]:
    """The CloudTrail fields OCSF maps, from their OCSF attributes (None when absent)."""
    api, cloud, meta, endpoint = _obj(row, "api"), _obj(row, "cloud"), _obj(row, "metadata"), _obj(row, "src_endpoint")
    request, response, product = _obj(api, "request"), _obj(api, "response"), _obj(meta, "product")
    return {
        "eventVersion": product.get("version"), "eventTime": iso_time(row.get("time")) or iso_time(row.get("time_dt")),
        "eventSource": _obj(api, "service").get("name"), "eventName": api.get("operation"),
        "awsRegion": cloud.get("region"), "sourceIPAddress": endpoint.get("ip") or endpoint.get("domain"),
        "userAgent": _obj(row, "http_request").get("user_agent"),
        "errorCode": response.get("error"), "errorMessage": response.get("error_message") or response.get("message"),
        "requestParameters": parse_json(request.get("data")), "responseElements": parse_json(response.get("data")),
        "requestID": request.get("uid"), "eventID": meta.get("uid"), "eventType": meta.get("event_code"),
        "eventCategory": _obj(product, "feature").get("name"), "apiVersion": api.get("version"),
        "vpcEndpointId": endpoint.get("uid"), "resources": resources(row.get("resources")),
        "recipientAccountId": _obj(cloud, "account").get("uid") or row.get("accountid"),
    }


def to_cloudtrail(row: dict[str, Any]) -> dict[str, Any]:
    """One OCSF record (a Security Lake CloudTrail row, or OCSF JSON) as the CloudTrail record it was made
    from, as far as OCSF keeps it: ``unmapped`` first, the mapped attributes over it."""
    record = unmapped_fields(row.get("unmapped"))
    identity = user_identity(_obj(row, "actor"), record.pop("userIdentity", None))
    record.update((k, v) for k, v in _mapped(row).items() if v is not None)
    if identity:
        record["userIdentity"] = identity
    for key in _BOOLEANS:
        if isinstance(record.get(key), str) and record[key].lower() in ("true", "false"):
            record[key] = record[key].lower() == "true"
    if "sharedEventId" in record and "sharedEventID" not in record:
        record["sharedEventID"] = record.pop("sharedEventId")
    return record


def open_envelope(item: dict[str, Any]) -> tuple[Any, ...] | None:
    """``(record, "ocsf", reason)`` for an OCSF record (``class_uid`` and ``api``), as ``siem.open_envelope``:
    the record is None, and the reason says why, when the OCSF record is no API call."""
    if "class_uid" not in item:
        return None
    api = _obj(item, "api")
    if api.get("operation") and _obj(api, "service").get("name"):
        return to_cloudtrail(item), "ocsf", "an OCSF record whose CloudTrail fields"
    name = item.get("class_name") or "?"
    return None, "ocsf", (f"an OCSF record of class {item.get('class_uid')} ({name}) without api.operation and "
                          "api.service.name: not an API call")


def parquet_rows(data: bytes, batch_rows: int = 4096) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet file of OCSF records, as dicts (only the columns the mapping reads). Raises
    ParquetError at once when the file is unreadable or not OCSF, and during the iteration when a later
    part of it is damaged."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise ParquetError(f"unreadable Parquet file: {exc}") from None
    names = parquet.schema_arrow.names
    if "class_uid" not in names or "api" not in names:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise ParquetError(f"a Parquet file with columns {shown}: not OCSF API activity (Security Lake CloudTrail)")
    return _batches(parquet, [c for c in COLUMNS if c in names], batch_rows)


def _batches(parquet: Any, columns: list[str], batch_rows: int) -> Iterator[dict[str, Any]]:
    import pyarrow as pa

    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
            yield from batch.to_pylist()
    except (pa.ArrowException, OSError) as exc:
        raise ParquetError(f"damaged Parquet file: {exc}") from None
