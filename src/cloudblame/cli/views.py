"""Rich renderings of query results (plain text only: record values are never markup)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from rich.syntax import Syntax

from cloudblame.cli.live_state import live_cell, view_line
from cloudblame.cli.output import console, ident, number, print_details, print_table, say, text, time
from cloudblame.core.bill_contracts import ActualCost
from cloudblame.core.contracts import Blame, EventDetail, EventItem, Forgotten, Inventory, Who
from cloudblame.core.money import usd, usd_total
from cloudblame.core.timeutil import iso_z
from cloudblame.pipeline.ingest import IngestSummary
from cloudblame.queries.events import SORT_LABELS, EventFilter


def _who(actor: Mapping[str, Any]) -> str:
    human = actor.get("human") or "?"
    principal = actor.get("principal")
    return human if not principal or principal == human else f"{human} ({principal})"


def _tool(tool: Mapping[str, Any]) -> str:
    return f"{tool.get('id')} {tool.get('version')}" if tool.get("version") else str(tool.get("id"))


_SSO_ROLE = re.compile(r"^(AWSReservedSSO_.+)_[0-9a-f]{16}$")


def _short(principal: str | None) -> str:
    """A role, user or session ARN as the name people use for it."""
    if not principal:
        return "?"
    if ":assumed-role/" in principal:
        name = principal.split(":assumed-role/", 1)[1].split("/")[0]
    elif principal.startswith("arn:") and "/" in principal:
        name = principal.rsplit("/", 1)[-1]
    else:
        name = principal
    m = _SSO_ROLE.match(name)
    return m.group(1) if m else name


def chain_text(actor: Mapping[str, Any], tool: Mapping[str, Any]) -> str:
    """``adam@example.com -> AWSReservedSSO_Admin (sso) -> deployer (AssumeRole) -> terraform``."""
    parts = [actor.get("human") or "?"]
    for hop in actor.get("chain") or []:
        name = _short(hop.get("principal"))
        if name != parts[-1] or len(parts) > 1:
            parts.append(f"{name} ({hop.get('how')})")
    tool_text = _tool(tool) + (f" via {tool['via']}" if tool.get("via") else "")
    return " -> ".join(parts + [tool_text])


def _point_lines(label: str, point: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    if point is None:
        return [(label, "unknown (no successful creation event in the store)" if label == "created" else "no")]
    actor = point["actor"]
    lines = [(label, f"{point['time']} by {actor.get('human') or '?'} ({actor.get('confidence')} confidence)"),
             (f"{label} via", chain_text(actor, point["tool"]))]
    if actor.get("principal") and actor.get("principal") != actor.get("human"):
        lines.append((f"{label} as", f"{actor['principal']} ({actor.get('identity_type')})"))
    lines += [
        (f"{label} with", f"{_tool(point['tool'])} via {point['event_name']} from {point['source_ip'] or '?'}"),
        (f"{label} event", point["event_id"]),
    ]
    return lines


def _attempt_lines(attempt: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A resource only ever named in failed calls: who tried, and what AWS answered."""
    calls = attempt["attempts"]
    return [("created", (f"never: attempted {attempt['time']} by {attempt['actor'].get('human') or '?'} "
                         f"({attempt['event_name']}), denied ({attempt['error_code']})")),
            ("attempted with", f"{_tool(attempt['tool'])} from {attempt['source_ip'] or '?'}"),
            ("exists", f"not shown: only {calls} failed call{'s name' if calls != 1 else ' names'} it")]


def _context_lines(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines = []
    purpose = {k: v for k, v in (result.get("purpose") or {}).items() if v}
    if purpose:
        lines.append(("purpose", ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in purpose.items())))
    if result.get("cost"):
        cost = result["cost"]
        lines.append(("cost / month", f"{usd(cost['usd_per_month'])} ({cost['basis']})"))
    elif result.get("cost_while_alive"):
        cost = result["cost_while_alive"]
        lines.append(("cost / month", f"none: deleted ({usd(cost['usd_per_month'])} while it ran, {cost['basis']})"))
    if result.get("last_activity"):
        last = result["last_activity"]
        lines.append(("last activity", f"{last['time']} {last['event']} by {last['by']}"))
    if evidence := result.get("evidence"):
        lines.append(("use (CloudWatch)", f"{evidence['verdict']}: {evidence['words']} (read {evidence['read_at']})"))
    if result.get("related"):
        lines.append(("related", ", ".join(f"{r['id']} ({r['relation']})" for r in result["related"][:6])))
    return lines


def print_blame(result: Blame, *, wide: bool = False) -> None:
    r = result["resource"]
    rows = [("arn", r["arn"] or "-"), ("name", r["name"] or "-"),
            ("account / region", f"{r['account'] or '?'} / {r['region'] or '?'}")]
    attempted = result.get("attempted")
    rows += _attempt_lines(attempted) if attempted else _point_lines("created", result["created"])
    if not attempted:
        rows += _point_lines("deleted", result["deleted"]) if result["deleted"] else [("deleted", "no (alive as far as the trail shows)")]
    rows += _context_lines(result)
    print_details(f"{r['type'] or 'resource'} {r['id']}", rows)
    say("")
    print_table(f"timeline ({len(result['timeline'])} events, oldest first)", TIMELINE_COLUMNS,
                ([t["time"], t["action"], t["event_name"], t["actor"]["human"], _tool(t["tool"]), t["error_code"],
                  t["event_id"][:8]] for t in result["timeline"]), wide=wide)


TIMELINE_COLUMNS = [time(), text("action", 0, 6), text("event", 0, 22), text("who", 1, 20), text("tool", 3, 11),
                    text("error", 4, 12), ident("event id", 2)]
# event ids are shortened like git hashes: `cloudblame event` takes any unique prefix
EVENT_COLUMNS = [time(), text("event", 0, 22), text("source", 5, 8), text("who", 1, 20), text("tool", 3, 11),
                 text("region", 6, 9), ident("resources", 2), text("error", 4, 12), ident("event id")]


def _resources_cell(resources: Sequence[Mapping[str, Any]]) -> str:
    """What the event created, deleted or changed (else what it referenced): the first, whole, and how many more."""
    changed = [x for x in resources if x["action"] != "reference"] or resources
    if not changed:
        return ""
    first = changed[0]
    shown = str(first["id"]) + ("" if first["action"] == "reference" else f" ({first['action']})")
    return shown + (f" +{len(resources) - 1}" if len(resources) > 1 else "")


def _filter_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    return iso_z(value) if isinstance(value, datetime) else str(value)


def print_events(rows: Sequence[EventItem], f: EventFilter, *, wide: bool = False, title: str | None = None) -> None:
    active = ", ".join(f"{k}={_filter_value(v)}" for k, v in f.active().items()) or "no filter"
    print_table(
        title or f"{len(rows)} event(s), {SORT_LABELS.get(f.sort, f.sort)} ({active})", EVENT_COLUMNS,
        ([e["time"], e["event_name"], e["event_source"].removesuffix(".amazonaws.com"), e["actor"]["human"],
          _tool(e["tool"]), e["region"], _resources_cell(e["resources"]), e["error_code"], e["event_id"][:8]]
         for e in rows), wide=wide)


EVENT_RESOURCE_COLUMNS = [text("action", 0, 6), text("type", 1, 12), ident("id"), ident("arn", 3), text("name", 2)]


def print_event(detail: EventDetail, *, wide: bool = False) -> None:
    a = detail["actor"]
    lines = [
        ("event", f"{detail['event_source']} {detail['event_name']}"), ("time", detail["time"]),
        ("who", _who(a)), ("how found", f"{a.get('kind')} ({a.get('confidence')} confidence)"),
        ("identity", f"{a.get('identity_type')}  key {a.get('access_key_id') or '-'}"),
        ("tool", f"{_tool(detail['tool'])}  ({detail['tool']['user_agent'] or 'no user agent'})"),
        ("from", detail["source_ip"] or "-"), ("account / region", f"{detail['account']} / {detail['region']}"),
        ("error", f"{detail['error_code']}: {detail['error_message']}" if detail["error_code"] else "-"),
        ("file", detail["origin"] or "-"),
    ]
    print_details(f"event {detail['event_id']}", lines)
    say("")
    print_table("resources", EVENT_RESOURCE_COLUMNS,
                ([r["action"], _type(r["type"]), r["id"], r["arn"], r["name"]] for r in detail["resources"]), wide=wide)
    say("\nraw record", style="bold")
    raw = orjson.dumps(detail["raw"], option=orjson.OPT_INDENT_2).decode()
    # as it is: a long value (an ARN, a user agent) stays whole on its line
    console.print(Syntax(raw, "json", word_wrap=False, background_color="default"), soft_wrap=True, crop=False)


def _type(resource_type: str | None) -> str | None:
    """``EC2::Instance`` for ``AWS::EC2::Instance``: the prefix every type shares, left out of tables."""
    return resource_type.removeprefix("AWS::") if resource_type else resource_type


def print_ingest_summary(s: IngestSummary) -> None:
    say(f"{s.files} file(s): {s.files_read} read, {s.files_unchanged} unchanged since last ingest, "
        f"{len(s.skipped_files)} skipped" + (f", {len(s.failed_files)} not read completely (read again next time)"
                                             if s.failed_files else ""), style="bold")
    rate = s.bytes / 1e6 / s.seconds if s.seconds > 0 else 0.0
    say(f"{s.records:,} records, {s.bytes / 1e6:,.1f} MB in {s.seconds:.1f}s ({s.records_per_second:,.0f} records/s, "
        f"{rate:,.1f} MB/s): {s.new:,} new, {s.duplicates:,} duplicates, {s.bad_records:,} bad")
    print_ingest_problems(s)


def print_ingest_problems(s: IngestSummary) -> None:
    """The files skipped and the problems found, on stderr (stdout holds the summary alone)."""
    for path, reason in s.skipped_files:
        say(f"  skipped {path}: {reason}", style="yellow", err=True)
    for path, reason in s.failed_files:
        say(f"  not read completely (read again next time): {path}: {reason}", style="red", err=True)
    for p in s.problems[:50]:
        say(f"  problem {p}", style="yellow", err=True)
    if len(s.problems) > 50:
        say(f"  ... and {len(s.problems) - 50} more problems (use --format json for all)", style="yellow", err=True)


def print_who(result: Who, *, wide: bool = False) -> None:
    rows: list[tuple[str, str]] = []
    for h in result["humans"]:
        rows.append((h["human"] or "?", f"{h['kind']}, {h['confidence']} confidence, {h['events']:,} events"))
        rows.append(("via", chain_text(h, {"id": "calls"})))
    a = result["activity"]
    rows += [("activity", (f"{a['events']:,} events ({a['writes']:,} writes, {a['errors']:,} errors) "
                           f"from {a['first']} to {a['last']}")),
             ("tools", ", ".join(t or "?" for t in a["tools"])), ("regions", ", ".join(r or "?" for r in a["regions"])),
             ("accounts", ", ".join(x or "?" for x in a["accounts"]))]
    print_details(f"who {result['query']}", rows)
    say("")
    print_table("sessions", SESSION_COLUMNS,
                ([s["access_key_id"], s["principal"] if wide else _short(s["principal"]), s["identity_type"],
                  s["first"], s["last"], s["events"], s["issued_with"]] for s in result["sessions"]), wide=wide)
    if result["keys"]:
        print_table("access keys", [ident("access key"), time("created", 1), text("owner", 0, 16)],
                    ([k["access_key_id"], k["created"], k["owner"]] for k in result["keys"]), wide=wide)
    print_table("most frequent calls", [text("source", 1, 12), text("event", 0, 16), number("events")],
                ([t["event_source"], t["event_name"], t["events"]] for t in a["top_events"]), wide=wide)
    print_table("latest resources created", CREATED_COLUMNS,
                ([c["time"], _type(c["type"]), c["id"], c["name"], c["region"]] for c in result["created"]), wide=wide)


# the principal is shown as its role and session (or user) name; --wide shows the whole ARN
SESSION_COLUMNS = [ident("access key"), text("principal", 1, 24), text("type", 5, 8), time("first", 4),
                   time("last", 2), number("events", 3), text("issued with", 6)]
CREATED_COLUMNS = [time(priority=1), text("type", 2, 12), ident("id"), text("name", 3), text("region", 4, 9)]


def _counted(result: Inventory | Forgotten, what: str, shown: int | None = None) -> str:
    """``12 alive resource(s)``, or ``1,204 alive resource(s), the 100 costliest`` when not all are listed."""
    shown = len(result["resources"]) if shown is None else shown
    return f"{result['count']:,} {what}" + (f", the {shown:,} costliest" if shown < result["count"] else "")


INVENTORY_COLUMNS = [text("type", 1, 12), ident("id"), text("name", 3), text("owner", 1, 16), time("created", 5),
                     text("tool", 4, 8), text("region", 6, 9), number("usd/month")]
FORGOTTEN_COLUMNS = [text("type", 2, 12), ident("id"), text("name", 3), number("usd/month"), text("why", 1, 24),
                     text("ask", 1, 16)]


def print_inventory(result: Inventory, by: str | None, *, wide: bool = False) -> None:
    if by:  # with what the latest bill imported charged (`costs import`), when there is one
        billed = any(g.get("actual_usd") is not None for g in result["groups"])
        print_table(f"alive resources by {by} (estimated monthly on-demand cost)",
                    [text(by, 0, 16), number("resources"), number("usd/month"), number("unpriced"),
                     *([number("billed", 1)] if billed else [])],
                    ([g["key"], g["resources"], usd(g["usd_per_month"]), g["unpriced"],
                      *([usd(g.get("actual_usd"))] if billed else [])] for g in result["groups"]), wide=wide)
        return
    total = usd_total(result["total_usd_per_month"], result["unpriced"])
    billed = any(i["cost"].get("actual") for i in result["resources"])
    checked = any(i.get("live") for i in result["resources"])  # its live state, once described (inventory --live)
    print_table(f"{_counted(result, 'alive resource(s)')}, {total}/month",
                INVENTORY_COLUMNS + ([number("billed", 2)] if billed else []) + ([text("live", 1, 10)] if checked else []),
                ([_type(i["type"]), i["id"], i["name"], i["owner"],
                  i["created"]["time"] if i["created"] else i["first_seen"],
                  i["created"]["tool"] if i["created"] else "unknown", i["region"], usd(i["cost"]["usd_per_month"]),
                  *([_billed(i["cost"].get("actual"))] if billed else []),
                  *([live_cell(i.get("live"))] if checked else [])]
                 for i in result["resources"]), wide=wide)
    if view := result.get("view"):
        say(view_line(view), style="dim")


def _billed(actual: ActualCost | None) -> str:
    """What the latest bill charged (``$12.30 (2026-03)``), or ``unknown``."""
    return "unknown" if actual is None else f"{usd(actual['usd'])} ({actual['period'][:7]})"


def print_forgotten(result: Forgotten, limit: int | None = None, *, wide: bool = False) -> None:
    items = result["resources"][:limit]
    print_table(
        f"{_counted(result, 'forgotten resource(s)', len(items))} as of {result['as_of']} (idle {result['idle']}): "
        f"{usd_total(result['total_usd_per_month'], result['unpriced'])}/month", FORGOTTEN_COLUMNS,
        ([_type(i["type"]), i["id"], i["name"], usd(i["cost"]["usd_per_month"]), "; ".join(i["reasons"]),
          ", ".join(i["ask"])] for i in items), wide=wide)
    if result.get("in_use"):
        say(f"{result['in_use']:,} more idle by their events left out: CloudWatch saw them in use", style="dim")
    if result.get("gone"):
        say(f"{result['gone']:,} left out: gone when described on {(result['gone_checked_at'] or '?')[:10]}",
            style="dim")
