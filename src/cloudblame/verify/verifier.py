"""One verification run: which objects were asked about, the chains of digests walked one by one, then
the log files no digest listed. The walk is in ``chain``, the log file checks in ``log_files``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cloudblame.verify.chain import walk_chain
from cloudblame.verify.keys import KeyProvider
from cloudblame.verify.log_files import check_unlisted_logs
from cloudblame.verify.objects import ObjectInfo, ObjectSource, as_utc, parse_object
from cloudblame.verify.report import Finding, VerifyReport

# A digest chain: (folder up to the region, trail, home region) (ObjectInfo.chain).
Chain = tuple[str, str | None, str | None]


def _as_set(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)


@dataclass(frozen=True)
class Scope:
    """What is asked about: accounts and regions (empty: all) and a delivery-time range (aware UTC)."""

    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of(cls, account: str | Iterable[str] | None = None, region: str | Iterable[str] | None = None,
           since: datetime | None = None, until: datetime | None = None) -> Scope:
        """From the entry points' arguments: one value or several; naive datetimes are UTC."""
        return cls(_as_set(account), _as_set(region), as_utc(since), as_utc(until))

    def selects(self, info: ObjectInfo) -> bool:
        return ((not self.accounts or info.account in self.accounts)
                and (not self.regions or info.region in self.regions))

    def in_range(self, stamp: datetime | None) -> bool:
        if stamp is None:
            return True
        return not (self.until and stamp > self.until) and not (self.since and stamp < self.since)


class Verifier:
    def __init__(self, source: ObjectSource, keys: KeyProvider, scope: Scope):
        self.src = source
        self.keys = keys
        self.scope = scope
        self.report = VerifyReport()
        self.covered: set[str] = set()  # log files (object ids in the source) that a checked digest lists
        self.spans: dict[str, list[tuple[datetime, datetime]]] = {}  # group -> checked digests' hours

    def add(self, kind: str, subject: str, detail: str, info: ObjectInfo | None = None) -> None:
        account, region = (info.account, info.region) if info else (None, None)
        self.report.findings.append(Finding(kind, subject, detail, account, region))

    def run(self) -> VerifyReport:
        chains, logs = self._asked_about()
        self._narrow_keys(chains)
        for chain_id in sorted(chains, key=lambda c: tuple(x or "" for x in c)):
            walk_chain(self, chains[chain_id])
        check_unlisted_logs(self, logs)
        return self.report

    def _asked_about(self) -> tuple[dict[Chain, list[ObjectInfo]], list[ObjectInfo]]:
        """The selected digests by chain (folder, trail, home region) and the selected log files."""
        chains: dict[Chain, list[ObjectInfo]] = {}
        logs: list[ObjectInfo] = []
        for obj in self.src.list_objects():
            info = parse_object(obj)
            if info is None:
                self.report.ignored += 1
            elif not self.scope.selects(info):
                continue
            elif info.is_digest and info.group is None:
                self._digest_not_in_layout(info)
            elif info.is_digest:
                chains.setdefault(info.chain, []).append(info)
            else:
                logs.append(info)
        return chains, logs

    def _digest_not_in_layout(self, info: ObjectInfo) -> None:
        if self.scope.in_range(info.stamp):
            self.add("digest-not-in-layout", self.src.subject(None, info.obj),
                     "not under AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/, where CloudTrail "
                     "delivered it: its chain cannot be followed", info)

    def _narrow_keys(self, chains: dict[Chain, list[ObjectInfo]]) -> None:
        stamps = [d.stamp for ds in chains.values() for d in ds if d.stamp and self.scope.in_range(d.stamp)]
        if stamps and hasattr(self.keys, "narrow"):
            self.keys.narrow(min(stamps) - timedelta(hours=2), max(stamps) + timedelta(hours=1))
