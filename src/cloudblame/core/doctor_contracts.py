"""The JSON shapes of trail health: `cloudblame doctor --format json` (``DoctorReport``, its ``Finding``s),
the store's coverage it reads (``Coverage``, from cloudblame.queries.coverage) and `cloudblame setup-trail
--format json` (``SetupPlan``). Same conventions as core/contracts.py: ISO 8601 UTC times, days as
``YYYY-MM-DD``, unknown as ``None``, never 0. Finding ids are stable: docs/doctor.md lists each with its fix."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")  # worst first


class Finding(TypedDict):
    """One thing wrong (or worth knowing) about the trail set-up or the stored data: ``id`` (stable, e.g.
    ``trail-not-multi-region``), its ``severity``, the ``resource`` it is about (a trail or key ARN, a bucket,
    an account, ``account/region``; None: the whole set-up), what is wrong (``message``), how to mend it
    (``fix``: a command where there is one) and what was seen (``evidence``: JSON, by finding)."""
    id: str
    severity: Severity
    resource: str | None
    message: str
    fix: str
    evidence: dict[str, Any]


class Checked(TypedDict):
    """What doctor looked at: the set-up through the AWS API (``api``; ``account`` and ``region`` of the calls)
    and the store (``store``: its path), each with a note saying why not when it was not."""
    api: bool
    api_note: str | None
    account: str | None
    region: str | None
    store: bool
    store_note: str | None


class DoctorReport(TypedDict):
    """`doctor --format json`: the findings, worst first; counts by severity; ``failing``: a finding is at or
    above ``fail_on`` (the exit status is 1)."""
    checked: Checked
    fail_on: Severity
    failing: bool
    counts: dict[str, int]
    findings: list[Finding]


class DayGap(TypedDict):
    """Whole UTC days, ``start`` to ``end`` inclusive, with no stored event (of an account, or of one of its
    regions while the account had events elsewhere: ``days`` counts only those)."""
    start: str
    end: str
    days: int


class RegionCoverage(TypedDict):
    """One region of an account in the store: the days it has events, and the days inside its own span the
    account had events elsewhere but none here (``missing_days``, as ``gaps``)."""
    region: str
    first_day: str
    last_day: str
    days_with_events: int
    events: int
    missing_days: int
    gaps: list[DayGap]


class AccountCoverage(TypedDict):
    """One account in the store: its span (first and last event), the days in it with no event at all
    (``missing_days``; the first ``gaps``, of ``gaps_total``) and each region's coverage."""
    account: str
    first_time: str | None
    last_time: str | None
    days_spanned: int
    days_with_events: int
    missing_days: int
    gaps_total: int
    gaps: list[DayGap]
    regions: list[RegionCoverage]


class RegionNamed(TypedDict):
    """A region the store's events name (in the ARNs of the resources they touched) for ``account`` though
    none of that account's events came from it: ``resources`` distinct ARNs, ``example`` one of them."""
    account: str
    region: str
    resources: int
    example: str


class Coverage(TypedDict):
    """What the store covers, per account and region (``source``: ``event_hours``, or ``events`` when that
    table is not filled), and the regions named but never seen."""
    source: str
    events: int
    newest: str | None
    accounts: list[AccountCoverage]
    regions_named_not_seen: list[RegionNamed]


class SetupCall(TypedDict):
    """One API call of `setup-trail`: boto3's ``service`` and ``operation``, the ``region`` it is made in, its
    ``params`` (as sent), why it is needed, the equivalent ``aws`` CLI line, and (with --apply) ``status``
    (``planned``, ``done``, ``failed``, ``not run``) with AWS's ``error``."""
    service: str
    operation: str
    region: str
    params: dict[str, Any]
    why: str
    cli: str
    status: str
    error: str | None


class SetupPlan(TypedDict):
    """`setup-trail --format json`: the calls that create or mend what doctor finds missing (in order), for
    ``trail`` writing to ``bucket``, and ``notes`` (what is kept, what could not be compared)."""
    applied: bool
    account: str | None
    region: str
    trail: str
    bucket: str
    organization: bool
    retention_days: int
    calls: list[SetupCall]
    notes: list[str]
