"""doctor: is the CloudTrail set-up sound, and does the store hold what it should? Findings, each with its
severity and fix (docs/doctor.md lists every one):

- through the AWS API (cloudblame.actions.trail_checks), when there are credentials: the account's trails,
  their status and selectors, the bucket and KMS key they deliver to, the organization, the regions enabled;
- from the store (cloudblame.queries.coverage): days with no event inside each account's span, a region's
  days missing while its account logged elsewhere, regions named by the events' ARNs but never seen, a store
  that is empty or not current;
- both together: regions opted in that the store never saw, an account checked whose events are not stored.

Without credentials (or with ``store_only``) the store checks run alone, and the report says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cloudblame.actions.doctor_findings import at_or_above, finding, worst_first
from cloudblame.actions.tagging import Clients
from cloudblame.actions.trail_checks import Reader, SetupFacts, check_setup
from cloudblame.core.doctor_contracts import (
    SEVERITIES,
    AccountCoverage,
    Checked,
    Coverage,
    DayGap,
    DoctorReport,
    Finding,
    RegionCoverage,
    Severity,
)
from cloudblame.core.errors import BadInput
from cloudblame.core.timeutil import parse_duration, parse_event_time
from cloudblame.queries.coverage import coverage
from cloudblame.store.db import Store

DEFAULT_RETENTION = "400d"  # how long the trail's files should be kept (doctor and setup-trail alike)
NOT_CURRENT_AFTER = timedelta(days=2)  # a store whose newest event is older than this is not current
GAPS_SAID = 5  # gaps named in a finding's message (its evidence lists more)
API_ATTEMPTS = 3  # tries of each API call (throttling backs off)


def retention_days(text: str) -> int:
    """``400d``, ``13w``...: whole days, at least 1. Raises BadInput."""
    days = parse_duration(text).days
    if days < 1:
        raise BadInput(f"--retention {text!r}: give at least a day (400d, 13w...)")
    return days


def aws_clients(*, profile: str | None, region: str | None, endpoint_url: str | None) -> tuple[Clients | None, str | None]:
    """Clients of the standard credential chain (or ``profile``), or None and why when there are no
    credentials (a ``profile`` that cannot be used is the user's error: BadInput)."""
    import boto3

    if profile is None and boto3.Session(region_name=region).get_credentials() is None:
        return None, "no AWS credentials found (the store checks ran alone)"
    return Clients(profile=profile, region=region, endpoint_url=endpoint_url, max_attempts=API_ATTEMPTS), None


# --- the store

def store_findings(cov: Coverage, *, now: datetime) -> list[Finding]:
    """store-empty, days-missing, region-days-missing, region-never-seen (named in ARNs), store-not-current."""
    if not cov["events"]:
        return [finding("store-empty", None, "the store holds no events", {"source": cov["source"]})]
    found = []
    for account in cov["accounts"]:
        found += _account_gaps(account)
        found += [_region_gaps(account["account"], r) for r in account["regions"] if r["missing_days"]]
    for named in cov["regions_named_not_seen"]:
        found.append(finding(
            "region-never-seen", f"{named['account']}/{named['region']}",
            f"{named['resources']} resource(s) of account {named['account']} in {named['region']} are named by stored "
            f"events (e.g. {named['example']}) but no event of the account came from {named['region']}",
            {"source": "arn", **named}, account=named["account"], region=named["region"]))
    newest = parse_event_time(cov["newest"])
    if newest is not None and now - newest > NOT_CURRENT_AFTER:
        age = (now - newest).days
        found.append(finding("store-not-current", None, f"the newest stored event is {age} days old ({cov['newest']})",
                             {"newest": cov["newest"], "days": age}, since=newest.date().isoformat()))
    return found


def _gaps_text(gaps: list[DayGap], total: int, *, counted: bool = False) -> str:
    """The first gaps as ``start..end`` (``counted``: with the days of each that count)."""
    said = ", ".join((g["start"] if g["start"] == g["end"] else f"{g['start']}..{g['end']}")
                     + (f" ({g['days']})" if counted else "") for g in gaps[:GAPS_SAID])
    return said + (f" and {total - GAPS_SAID} more gap(s)" if total > GAPS_SAID else "")


def _account_gaps(account: AccountCoverage) -> list[Finding]:
    if not account["missing_days"]:
        return []
    gaps = account["gaps"]
    return [finding(
        "days-missing", account["account"],
        f"account {account['account']}: {account['missing_days']} whole day(s) with no event between "
        f"{account['first_time']} and {account['last_time']} ({account['days_with_events']} of "
        f"{account['days_spanned']} days have events): {_gaps_text(gaps, account['gaps_total'])}",
        {k: account[k] for k in ("first_time", "last_time", "days_spanned", "days_with_events", "missing_days",
                                 "gaps_total", "gaps")},
        account=account["account"], since=gaps[0]["start"] if gaps else None)]


def _region_gaps(account: str, region: RegionCoverage) -> Finding:
    return finding(
        "region-days-missing", f"{account}/{region['region']}",
        f"account {account}: no event from {region['region']} on {region['missing_days']} day(s) it logged "
        f"elsewhere, between {region['first_day']} and {region['last_day']}, in its gaps (days logged elsewhere): "
        f"{_gaps_text(region['gaps'], len(region['gaps']), counted=True)}",
        {k: region[k] for k in ("first_day", "last_day", "days_with_events", "events", "missing_days", "gaps")},
        account=account, region=region["region"])


# --- the set-up and the store together

def crossed_findings(facts: SetupFacts, cov: Coverage) -> list[Finding]:
    """account-not-in-store; region-never-seen for the regions the account opted in to."""
    mine = next((a for a in cov["accounts"] if a["account"] == facts.account), None)
    bucket = next((t.bucket for t in facts.trails if t.bucket), None)
    if mine is None:
        return [finding("account-not-in-store", facts.account, f"the store holds no event of account "
                        f"{facts.account}, whose set-up was checked", {"accounts_stored": len(cov["accounts"])},
                        bucket=bucket)] if cov["events"] else []
    seen = {r["region"] for r in mine["regions"]}
    return [finding("region-never-seen", f"{facts.account}/{region}", f"account {facts.account} opted in to "
                    f"{region} but the store holds no event from it", {"source": "opted-in", "region": region},
                    account=facts.account, region=region)
            for region in facts.opted_in or [] if region not in seen]


# --- the report

def doctor_report(findings: list[Finding], checked: Checked, fail_on: Severity) -> DoctorReport:
    ordered = worst_first(findings)
    counts: dict[str, int] = {s: sum(f["severity"] == s for f in ordered) for s in SEVERITIES}
    return {"checked": checked, "fail_on": fail_on, "failing": bool(at_or_above(ordered, fail_on)),
            "counts": counts, "findings": ordered}


def run_doctor(store: Store | None, clients: Clients | None, *, retention: str = DEFAULT_RETENTION,
               fail_on: Severity = "warning", store_note: str | None = None, api_note: str | None = None,
               store_only: bool = False, now: datetime | None = None) -> DoctorReport:
    """Every check there is something to check with: the set-up when ``clients`` is given, the store when
    ``store`` is (``*_note``: why one is not), both together when both are. Set-up checks left out for want
    of credentials are an ``api-not-checked`` finding; asked for (``store_only``), they are not."""
    if fail_on not in SEVERITIES:
        raise BadInput(f"--fail-on {fail_on!r}: one of {', '.join(SEVERITIES)}")
    days = retention_days(retention)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    found: list[Finding] = []
    facts = None
    if clients is not None:
        facts, from_api = check_setup(Reader(clients), days, regions=store is not None)
        found += from_api
    elif api_note and not store_only:
        found.append(finding("api-not-checked", None, f"the trail set-up was not checked: {api_note}", {}))
    cov = coverage(store) if store is not None else None
    if cov is not None:
        found += store_findings(cov, now=now)
        if facts is not None:
            found += crossed_findings(facts, cov)
    checked: Checked = {"api": facts is not None, "api_note": api_note if clients is None else None,
                        "account": facts.account if facts else None,
                        "region": clients.default_region if clients else None,
                        "store": store is not None, "store_note": store_note}
    if clients is not None and facts is None:
        checked["api_note"] = "the caller could not be identified (STS GetCallerIdentity failed): see check-failed"
    return doctor_report(found, checked, fail_on)
