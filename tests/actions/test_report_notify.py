"""`cloudblame report` and `cloudblame notify` on a store of the demo trail: each owner's report (Markdown,
HTML, JSON) holds their resources and costs and nobody else's; notify sends one message per owner to a
local JSON webhook receiver and a local SMTP server, nothing twice for a period, and reports a failing
URL for its recipient while the others are still sent."""

from __future__ import annotations

import json
import re
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email import message_from_string
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from cloudblame.actions.notify import STATE_FILE
from cloudblame.actions.report import md_code, md_text, owner_reports, owners_with_resources, render
from cloudblame.cli.app import app
from cloudblame.core.errors import NotFound
from cloudblame.core.report_contracts import OwnerReport
from cloudblame.queries.inventory import inventory
from cloudblame.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """A store of a 2,000-record demo trail."""
    from cloudblame.demo.generator import generate_sample_trail
    from cloudblame.pipeline.ingest import ingest_paths

    root = tmp_path_factory.mktemp("report")
    generate_sample_trail(root / "trail", records=2000)
    with Store.open(root / "store") as store:
        ingest_paths(store, [str(root / "trail")])
    return root / "store"


@pytest.fixture(scope="module")
def reports(demo_db) -> list[OwnerReport]:
    with Store.open(demo_db, read_only=True) as store:
        return owner_reports(store)


@pytest.fixture
def store_copy(demo_db, tmp_path) -> Path:
    """The demo store in a folder of its own (notify remembers what it sent next to it)."""
    import shutil

    shutil.copytree(demo_db, tmp_path / "store")
    return tmp_path / "store"


def ids_of(report: OwnerReport) -> set[str]:
    return {r["id"] for r in report["alive"]["resources"]}


def test_every_owner_of_something_alive_has_a_report_of_exactly_their_inventory(demo_db, reports):
    with Store.open(demo_db, read_only=True) as store:
        owners = owners_with_resources(store)
        assert len(owners) >= 3 and [r["owner"] for r in reports] == owners
        for report in reports:
            mine = inventory(store, owner=report["owner"], limit=None)
            assert ids_of(report) == {r["id"] for r in mine["resources"]} and report["alive"]["count"] > 0
            assert report["alive"]["total_usd_per_month"] == mine["total_usd_per_month"]
            assert all((r["owner"] or "").lower() == report["owner"].lower() for r in report["forgotten"]["resources"])
    assert len({r["period"] for r in reports}) == 1 and reports[0]["period"].count("-W") == 1


def test_the_trend_ends_at_what_is_alive_now_when_all_of_it_is_priced(reports):
    fully_priced = [r for r in reports if not r["alive"]["unpriced"] and r["trend"]]
    assert fully_priced
    for report in fully_priced:
        weeks = report["trend"]
        assert weeks[-1]["usd_per_month_after"] == pytest.approx(report["alive"]["total_usd_per_month"], abs=0.02)
        assert sum(w["created"] for w in weeks) >= report["alive"]["count"]
        assert [w["week"] for w in weeks] == sorted(w["week"] for w in weeks)


def test_markdown_html_and_json_name_the_owners_resources_and_costs_only(reports):
    costly = max(reports, key=lambda r: r["alive"]["total_usd_per_month"] or 0)
    others = set().union(*(ids_of(r) for r in reports if r is not costly)) - ids_of(costly)
    markdown = render([costly], "md")
    page = render([costly], "html")
    data = json.loads(render([costly], "json"))
    total = f"${costly['alive']['total_usd_per_month']:,.2f}"
    for text in (markdown, page):
        assert all(i in text for i in ids_of(costly)) and total in text
        assert not [i for i in others if i in text]
    assert data[0]["owner"] == costly["owner"] and {r["id"] for r in data[0]["alive"]["resources"]} == ids_of(costly)
    assert set(OwnerReport.__required_keys__) <= set(data[0])
    charts = ET.fromstring(page.split('<div class="charts">', 1)[1].split("</div>", 1)[0].join(["<div>", "</div>"]))
    assert len(charts.findall("figure")) == 2 and charts.iter("rect")


def test_record_values_cannot_become_markup():
    hostile = "[click](https://evil.example) <img src=x onerror=alert(1)> | *bold* `tick`"
    assert re.search(r"(?<!\\)[<>\[\]|*`]", md_text(hostile)) is None  # each one escaped
    assert md_code(hostile).count("`") == 2 and "|" not in md_code(hostile)


def test_report_cli_writes_a_file_per_owner_and_refuses_an_unknown_owner(demo_db, reports, tmp_path):
    result = runner.invoke(app, ["report", "--all", "--format", "html", "--out", str(tmp_path / "out"),
                                 "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    written = result.stdout.split()
    assert len(written) == len(reports) and all(Path(p).read_text().startswith("<!doctype html>") for p in written)
    missing = runner.invoke(app, ["report", "--owner", "nobody-at-all", "--db", str(demo_db)])
    assert missing.exit_code == 2 and "nobody named" in missing.stderr
    neither = runner.invoke(app, ["report", "--db", str(demo_db)])
    assert neither.exit_code == 2
    with Store.open(demo_db, read_only=True) as store, pytest.raises(NotFound):
        owner_reports(store, ["nobody-at-all"])


# --- notify: a local webhook receiver and a local SMTP server

class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A JSON webhook receiver on loopback: (its json:// URL, the bodies it received)."""
    handler = type("Handler", (Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_address[1]}/", handler.received
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[int, list]]:
    """A local SMTP server: (its port, the (recipients, message) it received)."""
    from aiosmtpd.controller import Controller

    got: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append((envelope.rcpt_tos, message_from_string(envelope.content.decode())))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, got
    controller.stop()


def notify(db: Path, *args: str):
    return runner.invoke(app, ["notify", "--db", str(db), "--format", "json", *args])


def test_one_post_per_owner_naming_only_theirs_and_nothing_twice(store_copy, reports, webhook):
    url, received = webhook
    first = notify(store_copy, "--all", "--to", url)
    assert first.exit_code == 0, first.output
    assert {d["status"] for d in json.loads(first.stdout)} == {"sent"}
    assert len(received) == len(reports)
    by_owner = {r["owner"]: r for r in reports}
    for post in received:
        owner = next(o for o in by_owner if post["title"].startswith(f"cloudblame: {o} has"))
        mine = by_owner[owner]
        listed = list(ids_of(mine))[:25]
        assert all(i in post["message"] for i in listed)
        others = set().union(*(ids_of(r) for r in reports if r is not mine)) - ids_of(mine)
        assert not [i for i in others if i in post["message"]]
        assert (f"{mine['alive']['total_usd_per_month']:,.2f}") in post["message"]
    again = notify(store_copy, "--all", "--to", url)
    assert again.exit_code == 0 and {d["status"] for d in json.loads(again.stdout)} == {"already sent"}
    assert len(received) == len(reports)
    state = json.loads((store_copy / STATE_FILE).read_text())
    assert len(state["sent"]) == len(reports) and all("127.0.0.1" in v["url"] for v in state["sent"].values())


def test_a_digest_is_one_message_and_a_dry_run_sends_and_remembers_nothing(store_copy, reports, webhook):
    url, received = webhook
    dry = notify(store_copy, "--all", "--to", url, "--dry-run")
    assert dry.exit_code == 0 and {d["status"] for d in json.loads(dry.stdout)} == {"would send"}
    assert not received and not (store_copy / STATE_FILE).exists()
    digest = notify(store_copy, "--all", "--digest", "--to", url)
    assert digest.exit_code == 0, digest.output
    assert len(received) == 1 and all(r["owner"] in received[0]["message"] for r in reports)


def test_mail_goes_to_each_owners_address_and_a_failing_url_fails_only_its_messages(store_copy, reports, smtp,
                                                                                   webhook, tmp_path):
    port, mails = smtp
    url, received = webhook
    config = tmp_path / "cloudblame.toml"
    config.write_text('[people]\nbob = "bob@corp.example"\nAlice = ["alice@corp.example"]\n')
    dead = f"json://127.0.0.1:{free_port()}/"
    result = notify(store_copy, "--all", "--config", str(config), "--to", f"mailto://127.0.0.1:{port}?from=cb@example.com",
                    "--to", dead, "--to", url)
    assert result.exit_code == 1, result.output
    done = json.loads(result.stdout)
    failed = [d for d in done if d["status"] == "failed"]
    assert len(failed) == len(reports) and all(str(dead.split(":")[2].rstrip("/")) in d["url"] for d in failed)
    assert all(d["reason"] for d in failed)
    assert len(received) == len(reports)  # the other URL still got one each
    addressed = {tuple(to): m for to, m in mails}
    assert ("bob@corp.example",) in addressed and ("alice@corp.example",) in addressed
    emailed = [r["owner"] for r in reports if "@" in r["owner"]]
    assert all((o,) in addressed for o in emailed)
    bob = next(r for r in reports if r["owner"] == "bob")
    body = addressed[("bob@corp.example",)].get_payload()[0].get_payload(decode=True).decode()
    assert all(i in body for i in ids_of(bob))
    skipped = [d for d in done if d["status"] == "skipped"]
    assert all("no email address" in d["reason"] for d in skipped)
    assert len(mails) + len(skipped) == len(reports)
    retry = notify(store_copy, "--all", "--config", str(config), "--to", dead, "--to", url)
    statuses = {(d["url"].split("?")[0], d["status"]) for d in json.loads(retry.stdout)}
    assert statuses == {(dead, "failed"), (url, "already sent")} and retry.exit_code == 1
