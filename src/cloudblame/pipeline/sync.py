"""Sources as data: what `ingest` is asked for on the command line and what `sync` reads from
``cloudblame.toml``, run the same way.

```toml
# cloudblame.toml
db = "cloudblame-store"           # optional
reconcile = true                  # optional: after ingesting, describe the alive resources (as inventory --live)

[[s3]]
url = "s3://org-trail-bucket/prefix"
profile = "audit"                 # optional: standard credential chain otherwise
aws_region = "eu-west-1"          # optional: the bucket's region
endpoint_url = "https://minio.example:9000"   # optional: S3-compatible stores
accounts = ["111122223333"]       # optional filters
regions = ["us-east-1", "eu-west-1"]
since = "30d"                     # optional: relative or ISO
workers = 16

[[lookup]]
profile = "prod"
regions = ["us-east-1"]           # default: every enabled region
insights = true                   # optional: AWS's CloudTrail Insights events too (default false)

[[path]]
path = "/var/log/cloudtrail"
paths = ["archive/2023"]          # optional: more folders, files or globs read with it
```

``reconcile`` (``true``, or a ``[reconcile]`` table with its own ``profile``, ``aws_region``, ``endpoint_url`` and
``types``: only these resource types) describes the store's alive resources once the sources are ingested and
stores what AWS says (gone without a delete event, stopped, resized: ``load_reconcile``, ``run_reconcile``).

Relative paths (``db``, a ``[[path]]``'s ``path`` and ``paths``) are relative to the folder of the config
file, not to the current directory; ``~`` expands; S3 URLs and absolute paths stay as they are.

`cloudblame notify` reads two more tables of the same file (``load_recipients``; `sync` ignores them):

```toml
[notify]                          # optional: the Apprise URLs notify sends through when no --to is given
to = ["mailtos://bot:PASSWORD@smtp.example.com?from=cloudblame@example.com", "json://hooks.example/cb"]

[people]                          # optional: how notify reaches each owner (as cloudblame names them)
"maria.lopez@example.com" = "maria@corp.example"              # an address: --to's mailto:// URLs send to it
bob = ["bob@corp.example", "slack://T000/B000/XXXX/#bob"]      # addresses and the person's own Apprise URLs
```

An owner not in ``[people]`` whose name is an email address (an SSO user's usually is) is mailed at it.
"""

from __future__ import annotations

import os
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudblame.core.timeutil import parse_when
from cloudblame.pipeline.ingest import (
    IngestSummary,
    Target,
    ingest_lookup,
    ingest_paths,
    ingest_s3,
)
from cloudblame.sources.files import Problem
from cloudblame.sources.s3 import ObjectFilter, S3SourceError, make_client
from cloudblame.store.lake import Lake

if TYPE_CHECKING:
    from cloudblame.actions.live import LiveCheck

KINDS = ("s3", "lookup", "path")


@dataclass
class SourceSpec:
    kind: str  # s3 | lookup | path
    url: str | None = None  # s3://... or a local path
    paths: list[str] = field(default_factory=list)  # kind path: more local paths, ingested as one with url
    profile: str | None = None
    aws_region: str | None = None
    endpoint_url: str | None = None
    accounts: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    workers: int = 8
    resource_name: str | None = None
    insights: bool = False  # kind lookup: CloudTrail Insights events too (EventCategory=insight)
    force: bool = False

    @property
    def label(self) -> str:
        if self.kind == "lookup":
            return f"lookup-events {','.join(self.regions) or 'all regions'}"
        return (self.url or "?") if not self.paths else f"{self.url} and {len(self.paths)} more path(s)"


class ConfigError(ValueError):
    """A config file that cannot be used (the message says where and why)."""


def config_path(value: object, folder: Path) -> object:
    """A path-like value of a config file in ``folder``: ``~`` expanded, a relative path joined to
    ``folder``; URLs (``s3://...``), absolute paths and non-strings as they are."""
    if not isinstance(value, str) or not value or "://" in value:
        return value
    expanded = os.path.expanduser(value)
    return expanded if os.path.isabs(expanded) else os.path.join(folder, expanded)


def _source_spec(path: Path, kind: str, n: int, entry: dict[str, Any], folder: Path) -> SourceSpec:
    """The ``n``-th ``[[kind]]`` table of the config file at ``path`` (in ``folder``) as a source."""
    if kind == "path":
        entry["url"] = config_path(entry.pop("path", None), folder)
        if isinstance(entry.get("paths"), list):
            entry["paths"] = [config_path(p, folder) for p in entry["paths"]]
    unknown = set(entry) - (set(SourceSpec.__dataclass_fields__) - {"kind"})
    if unknown:
        raise ConfigError(f"{path}: [[{kind}]] #{n}: unknown keys {sorted(unknown)}")
    if kind != "lookup" and not entry.get("url"):
        raise ConfigError(f"{path}: [[{kind}]] #{n} needs {'url' if kind == 's3' else 'path'}")
    return SourceSpec(kind=kind, **entry)


def load_config(path: Path) -> tuple[list[SourceSpec], str | None]:
    """The sources of a ``cloudblame.toml`` and its optional ``db``; relative paths in it are relative to
    the config file's folder."""
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    folder = Path(os.path.abspath(path)).parent
    specs = [_source_spec(path, kind, n, dict(table), folder)
             for kind in KINDS for n, table in enumerate(doc.get(kind, []), start=1)]
    unknown_tables = set(doc) - set(KINDS) - {"db", "reconcile", *NOTIFY_TABLES}
    if unknown_tables:
        raise ConfigError(f"{path}: unknown sections {sorted(unknown_tables)}")
    if not specs:
        raise ConfigError(f"{path}: no [[s3]], [[lookup]] or [[path]] source")
    db = config_path(doc.get("db"), folder)
    if db is not None and not isinstance(db, str):
        raise ConfigError(f"{path}: db must be a path")
    return specs, db


NOTIFY_TABLES = ("notify", "people")


@dataclass(frozen=True)
class ReconcileSpec:
    """The reconcile step of a config: whose credentials describe the alive resources, and which types."""

    profile: str | None = None
    aws_region: str | None = None
    endpoint_url: str | None = None
    types: tuple[str, ...] = ()


def load_reconcile(path: Path) -> ReconcileSpec | None:
    """The config's ``reconcile`` (``true`` or a table; None: absent or ``false``)."""
    try:
        value = tomllib.loads(path.read_text()).get("reconcile")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if value is None or value is False:
        return None
    if value is True:
        return ReconcileSpec()
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: reconcile must be true, false or a table")
    if unknown := set(value) - {"profile", "aws_region", "endpoint_url", "types"}:
        raise ConfigError(f"{path}: [reconcile]: unknown keys {sorted(unknown)}")
    if any(v is not None and not isinstance(v, str) for k, v in value.items() if k != "types"):
        raise ConfigError(f"{path}: [reconcile]: profile, aws_region and endpoint_url are strings")
    types = tuple(_strings(path, "[reconcile] types", value["types"])) if "types" in value else ()
    return ReconcileSpec(value.get("profile"), value.get("aws_region"), value.get("endpoint_url"), types)


def run_reconcile(lake: Lake, spec: ReconcileSpec, *, wait: float | None = 30.0) -> LiveCheck:
    """The store's alive resources described with the step's credentials and what AWS said stored
    (cloudblame.actions.live.refresh_live)."""
    from cloudblame.actions.cleanup import boto3_clients
    from cloudblame.actions.live import refresh_live

    clients = boto3_clients(profile=spec.profile, region=spec.aws_region, endpoint_url=spec.endpoint_url)
    return refresh_live(lake, clients, region=spec.aws_region, resource_type=spec.types, wait=wait)


@dataclass
class Recipients:
    """Whom `cloudblame notify` tells and through what: the config's ``[people]`` (a person, lower case ->
    their email addresses and their own Apprise URLs) and ``[notify] to`` (URLs every message goes through)."""
    people: dict[str, list[str]] = field(default_factory=dict)
    to: list[str] = field(default_factory=list)


def _strings(path: Path, where: str, value: object) -> list[str]:
    """A config value that is a string or a list of strings, as a list."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{path}: {where} must be a string or a list of strings")
    return [v.strip() for v in values]


def load_recipients(path: Path) -> Recipients:
    """The ``[people]`` and ``[notify]`` tables of a config file (both optional)."""
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    people, notify = doc.get("people", {}), doc.get("notify", {})
    if not isinstance(people, dict) or not isinstance(notify, dict):
        raise ConfigError(f"{path}: [people] and [notify] must be tables")
    if unknown := set(notify) - {"to"}:
        raise ConfigError(f"{path}: [notify]: unknown keys {sorted(unknown)}")
    return Recipients(people={name.lower(): _strings(path, f"[people] {name!r}", v) for name, v in people.items()},
                      to=_strings(path, "[notify] to", notify["to"]) if "to" in notify else [])


def _session(spec: SourceSpec) -> Any:
    """A boto3 session of the source's profile and region."""
    import boto3

    return boto3.Session(profile_name=spec.profile, region_name=spec.aws_region)


# Told of progress as each kind of source tells it (ingest.ProgressFn, S3ProgressFn, OnPage).
SourceProgress = Callable[..., None]


def run_source(store: Target, spec: SourceSpec, *, progress: SourceProgress | None = None) -> IngestSummary:
    """Ingest one source into ``store``."""
    since = parse_when(spec.since) if spec.since else None
    until = parse_when(spec.until) if spec.until else None
    if spec.kind in ("path", "s3") and not spec.url:
        raise ConfigError(f"[[{spec.kind}]] needs {'url' if spec.kind == 's3' else 'path'}")
    flt = ObjectFilter(set(spec.accounts), set(spec.regions), since, until)
    if spec.kind == "path" and spec.url:  # a local copy of a bucket is pruned by key as the bucket would be
        return ingest_paths(store, [spec.url, *spec.paths], force=spec.force, progress=progress,
                            keep=flt.kept_paths if flt.active else None)
    if spec.kind == "s3" and spec.url:
        client = make_client(profile=spec.profile, region=spec.aws_region, endpoint_url=spec.endpoint_url)
        return ingest_s3(store, spec.url, client=client, flt=flt, workers=spec.workers, force=spec.force,
                         progress=progress)
    if spec.kind == "lookup":
        from cloudblame.sources.lookup import enabled_regions

        session = _session(spec)
        regions = spec.regions or enabled_regions(session, endpoint_url=spec.endpoint_url)
        return ingest_lookup(store, session, regions=regions, since=since, until=until,
                             resource_name=spec.resource_name, endpoint_url=spec.endpoint_url, on_page=progress,
                             insights=spec.insights)
    raise ConfigError(f"unknown source kind {spec.kind!r}")


NO_CREDENTIALS = "no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run on a role"


def run_source_reporting(store: Target, spec: SourceSpec, *, progress: SourceProgress | None = None
                         ) -> IngestSummary:
    """``run_source``, with a failure of the source itself (no credentials, unknown profile, a bucket
    that cannot be read) reported as a problem of its summary instead of raised."""
    from botocore.exceptions import NoCredentialsError, ProfileNotFound

    try:
        return run_source(store, spec, progress=progress)
    except (NoCredentialsError, ProfileNotFound) as exc:
        reason = NO_CREDENTIALS if isinstance(exc, NoCredentialsError) else str(exc)
    except (S3SourceError, ValueError) as exc:
        reason = str(exc)
    return IngestSummary(problems=[Problem(spec.label, None, reason)])


class SyncLoop:
    """Pull ``specs`` into the store every ``every`` seconds, in a background thread (a server keeping
    its own store fresh: requests read published snapshots meanwhile, and see each new one); then, with
    ``reconcile``, describe the alive resources."""

    def __init__(self, lake: Lake, specs: list[SourceSpec], every: float, reconcile: ReconcileSpec | None = None):
        self.lake, self.specs, self.every, self.reconcile = lake, specs, max(every, 1.0), reconcile
        self.runs = 0
        self.last: dict[str, Any] | None = None  # the last run: started, finished, per-source summaries
        self.running = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cloudblame-sync", daemon=True)

    def start(self) -> SyncLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self) -> dict[str, Any]:
        self.running = True
        started = datetime.now(UTC)
        try:
            summaries = [dict(run_source_reporting(self.lake, spec).as_dict(), source=spec.label, kind=spec.kind)
                         for spec in self.specs]
            live = self._reconcile(self.reconcile) if self.reconcile else None
        finally:
            self.running = False
        self.runs += 1
        self.last = {"started": started.isoformat(), "finished": datetime.now(UTC).isoformat(),
                     "sources": summaries, **({"reconcile": live} if live else {})}
        return self.last

    def _reconcile(self, spec: ReconcileSpec) -> dict[str, Any]:
        """The reconcile step's outcome: when, how many resources in each live state, its problems."""
        try:
            check = run_reconcile(self.lake, spec)
        except Exception as exc:  # noqa: BLE001 - reported in the run's status, retried at the next tick
            return {"error": f"{type(exc).__name__}: {exc}"}
        return {"checked_at": check.checked_at.isoformat(), "states": check.counts(), "calls": check.calls,
                "problems": check.problems}

    def status(self) -> dict[str, Any]:
        return {"every_seconds": self.every, "runs": self.runs, "running": self.running, "last": self.last}

    def _loop(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - a failed run is reported and retried at the next tick
                self.last = {"started": None, "finished": datetime.now(UTC).isoformat(),
                             "error": f"{type(exc).__name__}: {exc}", "sources": []}
            self._stop.wait(max(0.0, self.every - (time.monotonic() - began)))
