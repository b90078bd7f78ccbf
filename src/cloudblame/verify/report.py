"""What verification found: one ``Finding`` per check, and the outcome of each object asked about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

VERIFIED = "verified"
NOT_VERIFIABLE = "not verifiable"
INVALID = "invalid"
OUTCOMES = (VERIFIED, NOT_VERIFIABLE, INVALID)  # from best to worst

# Every kind of finding and the outcome it gives its object (a digest, or a log file: "log-" kinds).
KIND_OUTCOMES = {
    "digest-valid": VERIFIED,
    "log-valid": VERIFIED,
    "no-public-key": NOT_VERIFIABLE,
    "no-signature": NOT_VERIFIABLE,
    "digest-not-in-layout": NOT_VERIFIABLE,
    "log-unverified": NOT_VERIFIABLE,
    "log-not-covered": NOT_VERIFIABLE,
    "log-no-digest": NOT_VERIFIABLE,
    "log-not-in-layout": NOT_VERIFIABLE,
    "digest-invalid-signature": INVALID,
    "digest-moved": INVALID,
    "digest-missing": INVALID,
    "digest-unreadable": INVALID,
    "chain-gap": INVALID,
    "log-modified": INVALID,
    "log-missing": INVALID,
    "log-unreadable": INVALID,
}
KINDS = tuple(KIND_OUTCOMES)
SUCCESS_KINDS = frozenset(k for k, o in KIND_OUTCOMES.items() if o == VERIFIED)
FAILURE_KINDS = frozenset(KINDS) - SUCCESS_KINDS


@dataclass
class Finding:
    kind: str
    subject: str  # the object: S3 key (s3://bucket/key when in another bucket) or local path under the root
    detail: str
    account: str | None = None
    region: str | None = None

    @property
    def outcome(self) -> str:
        return KIND_OUTCOMES[self.kind]

    @property
    def is_log(self) -> bool:
        return self.kind.startswith("log-")

    def as_dict(self) -> dict[str, Any]:
        return dict(asdict(self), outcome=self.outcome)


def _rank(finding: Finding) -> int:
    return OUTCOMES.index(finding.outcome)


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    digests_checked: int = 0  # digests read
    logs_checked: int = 0  # log file entries of the digests read
    ignored: int = 0  # files (objects) that are neither a CloudTrail log file nor a digest

    def counts(self) -> dict[str, int]:
        """Findings by kind."""
        return dict(sorted(Counter(f.kind for f in self.findings).items()))

    def objects(self) -> dict[str, Finding]:
        """Each object asked about with its worst finding (which gives its outcome)."""
        worst: dict[str, Finding] = {}
        for f in self.findings:
            if f.subject not in worst or _rank(f) > _rank(worst[f.subject]):
                worst[f.subject] = f
        return worst

    def outcome_counts(self) -> dict[str, int]:
        """Objects by outcome: every outcome, zero included."""
        found = Counter(f.outcome for f in self.objects().values())
        return {o: found[o] for o in OUTCOMES}

    @property
    def ok(self) -> bool:
        """Something was asked about and every object of it was verified."""
        return bool(self.findings) and not self.failures()

    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.kind in FAILURE_KINDS]

    def summary(self) -> str:
        """One line: objects checked, then how many are verified, not verifiable (why) and invalid (why)."""
        objects = self.objects().values()
        logs = sum(f.is_log for f in objects)
        parts = [f"{n} {outcome}{_why(objects, outcome)}" for outcome, n in self.outcome_counts().items()]
        line = f"verify: {len(objects)} checked ({len(objects) - logs} digests, {logs} log files): {', '.join(parts)}"
        if not objects:
            line += "; nothing to verify: no CloudTrail log file or digest found"
        return line

    def as_dict(self) -> dict[str, Any]:
        objects = self.objects().values()
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "outcomes": {o.replace(" ", "_"): n for o, n in self.outcome_counts().items()},
            "digests": sum(not f.is_log for f in objects),
            "log_files": sum(f.is_log for f in objects),
            "ignored": self.ignored,
            "digests_checked": self.digests_checked,
            "logs_checked": self.logs_checked,
            "counts": self.counts(),
            "findings": [f.as_dict() for f in self.findings],
        }


def _why(objects: Iterable[Finding], outcome: str) -> str:
    """`` (log-no-digest 3, no-public-key 1)``: the kinds behind an outcome other than verified."""
    if outcome == VERIFIED:
        return ""
    kinds = Counter(f.kind for f in objects if f.outcome == outcome)
    return f" ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})" if kinds else ""
