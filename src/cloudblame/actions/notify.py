"""Telling owners what they left running: each owner's report (actions/report.py, as Markdown) sent
through Apprise URLs (Slack, Teams, email, a generic JSON webhook...), or one digest of every owner's.

Each owner gets one message per URL of ``--to`` (a ``json://`` URL receives one POST per owner), naming
only their resources and costs, plus one per Apprise URL of their own in the config's ``[people]`` table.
A ``mailto://`` or ``mailtos://`` URL of ``--to`` is the mail server: the owner's message goes to their
addresses (``[people]``, else their name when it is an email address; none: skipped, saying so). A
digest goes once to each ``--to`` URL as given.

Nothing is sent twice for the same report period: every message delivered is remembered in
``<store>/.notified.json`` (keyed by owner, a digest of the URL, which may hold secrets, and the period),
written after each delivery; a run (``notify --all`` from cron after ``sync``) sends only what is not
there. ``.notified.lock`` beside it keeps two runs from sending at once. Delete the file to send again.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from cloudblame.actions.report import render
from cloudblame.core.errors import BadInput
from cloudblame.core.money import usd_total
from cloudblame.core.report_contracts import OwnerReport
from cloudblame.pipeline.sync import Recipients

STATE_FILE, LOCK_FILE = ".notified.json", ".notified.lock"
DIGEST = "(digest)"  # the owner a digest is remembered under
LISTED = 25  # resources of each kind a message lists (its counts and totals cover all)
MAIL_SCHEMES = ("mailto", "mailtos")
EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/:]+\.[^@\s/:]+$")


@dataclass
class Message:
    """One message to send: to whom (an owner, or DIGEST), through which URL, in which period."""
    owner: str
    url: str
    period: str
    title: str
    body: str
    skipped: str | None = None  # why it cannot be sent (no address)


@dataclass
class Delivery:
    """What became of one message: ``sent``, ``failed``, ``skipped``, ``already sent`` or ``would send``
    (a dry run), why, and through which URL (``url``: secrets hidden)."""
    owner: str
    url: str
    period: str
    status: str
    reason: str
    title: str
    body: str


def _title(report: OwnerReport) -> str:
    alive = report["alive"]
    return (f"cloudblame: {report['owner']} has {alive['count']} resource(s) alive, "
            f"{usd_total(alive['total_usd_per_month'], alive['unpriced'])} a month ({report['period']})")


def addresses_of(owner: str, recipients: Recipients) -> tuple[list[str], list[str]]:
    """The owner's email addresses and own Apprise URLs (from ``[people]``, else their email-like name)."""
    entries = recipients.people.get(owner.lower())
    if entries is None:
        return ([owner] if EMAIL.match(owner) else []), []
    return [e for e in entries if "://" not in e], [e for e in entries if "://" in e]


def mail_to(url: str, addresses: list[str]) -> str:
    """A ``mailto://`` URL sending to ``addresses`` (instead of any ``to`` it names)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "to"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("to", ",".join(addresses))])))


def messages(reports: Sequence[OwnerReport], to: Sequence[str], recipients: Recipients, *,
             digest: bool = False) -> list[Message]:
    """What to send: each owner who owns something their report through each URL (or one digest)."""
    owning = [r for r in reports if r["alive"]["count"]]
    if digest:
        if not owning:
            return []
        body = render(owning, "md", limit=LISTED)
        title = f"cloudblame: what {len(owning)} owner(s) run ({owning[0]['period']})"
        return [Message(DIGEST, url, owning[0]["period"], title, body) for url in to]
    out = []
    for report in owning:
        owner, body, title = report["owner"], render([report], "md", limit=LISTED), _title(report)
        addresses, own_urls = addresses_of(owner, recipients)
        for url in [*to, *own_urls]:
            if urlsplit(url).scheme.lower() not in MAIL_SCHEMES:
                out.append(Message(owner, url, report["period"], title, body))
            elif addresses:
                out.append(Message(owner, mail_to(url, addresses), report["period"], title, body))
            else:
                out.append(Message(owner, url, report["period"], title, body,
                                   skipped=f"no email address for {owner}: add one to [people] in the config"))
    return out


def _key(message: Message) -> str:
    return "\t".join((message.owner, hashlib.sha256(message.url.encode()).hexdigest()[:24], message.period))


def shown_url(url: str) -> str:
    """``url`` with its secrets hidden (Apprise's privacy form; the scheme alone when Apprise cannot read it)."""
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return f"{urlsplit(url).scheme or '?'}://..."
    return str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]


def send(message: Message) -> str | None:
    """Send one message; None when delivered, else why not (Apprise's warnings)."""
    import apprise

    with apprise.LogCapture(level=logging.WARNING) as log:  # type: ignore[no-untyped-call]
        plugin = apprise.Apprise.instantiate(message.url)
        if plugin is None:
            return "not a URL Apprise can send to"
        sender = apprise.Apprise()
        sender.add(plugin)
        if sender.notify(body=message.body, title=message.title, body_format=apprise.NotifyFormat.MARKDOWN):
            return None
        said = [line.strip() for line in log.getvalue().splitlines() if line.strip()]
    return "; ".join(dict.fromkeys(said))[-400:] or "not delivered"


@contextmanager
def _state(store_path: Path) -> Iterator[dict[str, Any]]:
    """What was sent (``.notified.json``), locked for the run; saved by ``_remember``."""
    if not store_path.is_dir():
        raise BadInput(f"no store at {store_path}")
    with open(store_path / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = orjson.loads((store_path / STATE_FILE).read_bytes())
        except FileNotFoundError:
            state = {"version": 1, "sent": {}}
        except (OSError, orjson.JSONDecodeError) as exc:
            raise BadInput(f"{store_path / STATE_FILE} cannot be read ({exc}): fix or delete it") from None
        yield state


def _remember(store_path: Path, state: dict[str, Any], message: Message, url: str) -> None:
    state["sent"][_key(message)] = {"owner": message.owner, "url": url, "period": message.period,
                                    "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    temporary = store_path / f"{STATE_FILE}.{os.getpid()}.tmp"
    temporary.write_bytes(orjson.dumps(state, option=orjson.OPT_INDENT_2))
    os.replace(temporary, store_path / STATE_FILE)


def deliver(store_path: Path, planned: Sequence[Message], *, dry_run: bool = False) -> list[Delivery]:
    """Send each planned message not sent before for its period (a dry run sends and records nothing)."""
    done = []
    with _state(store_path) as state:
        for message in planned:
            url = shown_url(message.url)
            status, reason = _outcome(store_path, state, message, url, dry_run)
            done.append(Delivery(message.owner, url, message.period, status, reason, message.title, message.body))
    return done


def _outcome(store_path: Path, state: dict[str, Any], message: Message, url: str, dry_run: bool) -> tuple[str, str]:
    if message.skipped:
        return "skipped", message.skipped
    if (sent := state["sent"].get(_key(message))) is not None:
        return "already sent", f"sent at {sent['at']} for {message.period}"
    if dry_run:
        return "would send", ""
    if (failure := send(message)) is not None:
        return "failed", failure
    _remember(store_path, state, message, url)
    return "sent", ""


def as_rows(done: Sequence[Delivery], *, with_body: bool) -> list[dict[str, Any]]:
    return [{k: v for k, v in asdict(d).items() if with_body or k not in ("title", "body")} for d in done]
