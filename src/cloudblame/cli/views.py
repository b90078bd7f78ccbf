"""Rich renderings of query results (plain text only: record values are never markup)."""

from __future__ import annotations

import re

import orjson
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from cloudblame.cli.output import console, make_table, say
from cloudblame.ingest import IngestSummary
from cloudblame.money import usd, usd_total
from cloudblame.queries.events import SORT_LABELS, EventFilter


def _who(actor: dict) -> str:
    human = actor.get("human") or "?"
    principal = actor.get("principal")
    return human if not principal or principal == human else f"{human} ({principal})"


def _tool(tool: dict) -> str:
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


def chain_text(actor: dict, tool: dict) -> str:
    """``adam@example.com -> AWSReservedSSO_Admin (sso) -> deployer (AssumeRole) -> terraform``."""
    parts = [actor.get("human") or "?"]
    for hop in actor.get("chain") or []:
        name = _short(hop.get("principal"))
        if name != parts[-1] or len(parts) > 1:
            parts.append(f"{name} ({hop.get('how')})")
    tool_text = _tool(tool) + (f" via {tool['via']}" if tool.get("via") else "")
    return " -> ".join(parts + [tool_text])


def _point_lines(label: str, point: dict | None) -> list[tuple[str, str]]:
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


def _attempt_lines(attempt: dict) -> list[tuple[str, str]]:
    """A resource only ever named in failed calls: who tried, and what AWS answered."""
    calls = attempt["attempts"]
    return [("created", f"never: attempted {attempt['time']} by {attempt['actor'].get('human') or '?'} "
                        f"({attempt['event_name']}), denied ({attempt['error_code']})"),
            ("attempted with", f"{_tool(attempt['tool'])} from {attempt['source_ip'] or '?'}"),
            ("exists", f"not shown: only {calls} failed call{'s name' if calls != 1 else ' names'} it")]


def _context_lines(result: dict) -> list[tuple[str, str]]:
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
    if result.get("related"):
        lines.append(("related", ", ".join(f"{r['id']} ({r['relation']})" for r in result["related"][:6])))
    return lines


def print_blame(result: dict) -> None:
    r = result["resource"]
    title = Text(f"{r['type'] or 'resource'} {r['id']}", style="bold")
    rows = [("arn", r["arn"] or "-"), ("name", r["name"] or "-"),
            ("account / region", f"{r['account'] or '?'} / {r['region'] or '?'}")]
    rows += _attempt_lines(result["attempted"]) if result.get("attempted") else _point_lines("created", result["created"])
    if not result.get("attempted"):
        rows += _point_lines("deleted", result["deleted"]) if result["deleted"] else [("deleted", "no (alive as far as the trail shows)")]
    rows += _context_lines(result)
    body = Text()
    for key, value in rows:
        body.append(f"{key:>16}  ", style="bold")
        body.append(f"{value}\n")
    console.print(Panel(body, title=title, expand=False))
    console.print(make_table(
        f"timeline ({len(result['timeline'])} events, oldest first)",
        ["time", "action", "event", "who", "tool", "error"],
        ([t["time"], t["action"], t["event_name"], t["actor"]["human"], _tool(t["tool"]), t["error_code"]]
         for t in result["timeline"]),
    ))


def _resources_cell(resources: list[dict]) -> str:
    """What the event created, deleted or changed (else what it referenced), two at most."""
    changed = [x for x in resources if x["action"] != "reference"] or resources
    shown = [x["id"] + ("" if x["action"] == "reference" else f" ({x['action']})") for x in changed[:2]]
    more = len(resources) - len(shown)
    return " ".join(shown) + (f" +{more}" if more > 0 else "")


def print_events(rows: list[dict], f: EventFilter) -> None:
    active = ", ".join(f"{k}={'|'.join(v) if isinstance(v, (list, tuple)) else v}"
                       for k, v in f.active().items()) or "no filter"
    # event ids are shortened like git hashes: `cloudblame event` takes any unique prefix
    console.print(make_table(
        f"{len(rows)} event(s), {SORT_LABELS.get(f.sort, f.sort)} ({active})",
        ["time", "event", "source", "who", "tool", "region", "resources", "error", "event id"],
        ([e["time"], e["event_name"], e["event_source"].removesuffix(".amazonaws.com"), e["actor"]["human"],
          _tool(e["tool"]), e["region"], _resources_cell(e["resources"]), e["error_code"], e["event_id"][:8]]
         for e in rows),
    ))


def print_event(detail: dict) -> None:
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
    body = Text()
    for key, value in lines:
        body.append(f"{key:>16}  ", style="bold")
        body.append(f"{value}\n")
    console.print(Panel(body, title=Text(detail["event_id"]), expand=False))
    console.print(make_table("resources", ["action", "type", "id", "arn", "name"],
                             ([r["action"], r["type"], r["id"], r["arn"], r["name"]] for r in detail["resources"])))
    raw = orjson.dumps(detail["raw"], option=orjson.OPT_INDENT_2).decode()
    console.print(Syntax(raw, "json", word_wrap=True))


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


def print_who(result: dict) -> None:
    body = Text()
    for h in result["humans"]:
        body.append(f"{h['human'] or '?'}", style="bold")
        body.append(f"  {h['kind']}, {h['confidence']} confidence, {h['events']:,} events\n")
        body.append(f"    {chain_text(h, {'id': 'calls'})}\n")
    a = result["activity"]
    body.append(f"\n{a['events']:,} events ({a['writes']:,} writes, {a['errors']:,} errors) "
                f"from {a['first']} to {a['last']}\n")
    body.append(f"tools: {', '.join(a['tools'])}; regions: {', '.join(a['regions'])}; "
                f"accounts: {', '.join(a['accounts'])}\n")
    console.print(Panel(body, title=Text(f"who {result['query']}"), expand=False))
    console.print(make_table("sessions", ["access key", "principal", "type", "first", "last", "events", "issued with"],
                             ([s["access_key_id"], s["principal"], s["identity_type"], s["first"], s["last"],
                               s["events"], s["issued_with"]] for s in result["sessions"])))
    if result["keys"]:
        console.print(make_table("access keys", ["access key", "created", "owner"],
                                 ([k["access_key_id"], k["created"], k["owner"]] for k in result["keys"])))
    console.print(make_table("most frequent calls", ["source", "event", "events"],
                             ([t["event_source"], t["event_name"], t["events"]] for t in a["top_events"])))
    console.print(make_table("latest resources created", ["time", "type", "id", "name", "region"],
                             ([c["time"], c["type"], c["id"], c["name"], c["region"]] for c in result["created"])))


def _counted(result: dict, what: str, shown: int | None = None) -> str:
    """``12 alive resource(s)``, or ``1,204 alive resource(s), the 100 costliest`` when not all are listed."""
    shown = len(result["resources"]) if shown is None else shown
    return f"{result['count']:,} {what}" + (f", the {shown:,} costliest" if shown < result["count"] else "")


def print_inventory(result: dict, by: str | None) -> None:
    if by:
        console.print(make_table(f"alive resources by {by} (estimated monthly on-demand cost)",
                                 [by, "resources", "usd/month", "unpriced"],
                                 ([g["key"], g["resources"], usd(g["usd_per_month"]), g["unpriced"]]
                                  for g in result["groups"])))
    else:
        console.print(make_table(f"{_counted(result, 'alive resource(s)')}, {usd_total(result['total_usd_per_month'], result['unpriced'])}/month",
                                 ["type", "id", "name", "owner", "created", "tool", "region", "usd/month"],
                                 ([i["type"], i["id"], i["name"], i["owner"], i["first_seen"] if not i["created"]
                                   else i["created"]["time"], i["created"]["tool"] if i["created"] else "unknown",
                                   i["region"], usd(i["cost"]["usd_per_month"])] for i in result["resources"])))


def print_forgotten(result: dict, limit: int | None = None) -> None:
    items = result["resources"][:limit]
    console.print(make_table(
        f"{_counted(result, 'forgotten resource(s)', len(items))} as of {result['as_of']} (idle {result['idle']}): "
        f"{usd_total(result['total_usd_per_month'], result['unpriced'])}/month",
        ["type", "id", "name", "usd/month", "why", "ask"],
        ([i["type"], i["id"], i["name"], usd(i["cost"]["usd_per_month"]), "; ".join(i["reasons"]),
          ", ".join(i["ask"])] for i in items)))
