"""`cloudblame mcp` driven by the MCP SDK's own client against a store of the project's sample trail: the
tools and their input schemas, the CLI's JSON shapes, filters and paging, the user's errors as tool
errors, the stdio command, streamable HTTP with the token rule of `cloudblame serve`, and a store that no
session changes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.mcpserver import create_server
from cloudblame.queries.events import EventFilter

CLOUDBLAME = Path(sys.executable).with_name("cloudblame")
TOOLS = {"blame", "events", "event", "who", "inventory", "forgotten", "catalog", "insights", "insight", "costs"}
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    """(store path, SampleSummary) of a 2,000-record sample trail."""
    from cloudblame.demo.generator import generate_sample_trail
    from cloudblame.pipeline.ingest import ingest_paths
    from cloudblame.store import Store

    root = tmp_path_factory.mktemp("mcp")
    sample = generate_sample_trail(root / "trail", records=2000)
    with Store.open(root / "store") as store:
        ingest_paths(store, [str(root / "trail")])
    return str(root / "store"), sample


def cli_json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def session(target: Any, body: Callable[[Client], Awaitable[Any]]) -> Any:
    """``body(client)`` in a session with ``target`` (a server, stdio parameters or a transport)."""
    async def main() -> Any:
        async with Client(target) as client:
            return await body(client)
    return anyio.run(main)


def text_of(result: CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


def answer(result: CallToolResult) -> Any:
    """A tool's answer: its JSON text, which the structured content repeats."""
    assert not result.is_error, result.content
    data = json.loads(text_of(result))
    assert result.structured_content == data
    return data


def call(db: str, name: str, arguments: dict[str, Any]) -> CallToolResult:
    result: CallToolResult = session(create_server(db), lambda c: c.call_tool(name, arguments))
    return result


def fingerprint(root: str) -> dict[str, str]:
    """Every file under the store: its content hash (what a write would change)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


def test_tools_and_their_input_schemas(demo: tuple[str, Any]) -> None:
    tools = {t.name: t for t in session(create_server(demo[0]), lambda c: c.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 80  # tells an assistant when to use it
        assert tool.annotations and tool.annotations.read_only_hint and not tool.annotations.destructive_hint
        assert all(p.get("description") for p in tool.input_schema["properties"].values()), tool.name
    blame = tools["blame"].input_schema
    assert blame["required"] == ["resource"] and blame["properties"]["resource"]["type"] == "string"
    events = tools["events"].input_schema["properties"]
    assert {f.name for f in fields(EventFilter)} <= set(events)  # every filter the CLI's events takes
    assert events["limit"]["minimum"] == 1 and events["sort"]["enum"][0] == "time_desc"
    assert {"type": "array", "items": {"type": "string"}} in events["username"]["anyOf"]  # one or several
    assert tools["event"].input_schema["required"] == ["event_id"]
    assert {"limit", "offset"} <= set(tools["inventory"].input_schema["properties"])


def test_blame_over_stdio_is_the_cli_json(demo: tuple[str, Any]) -> None:
    db, sample = demo
    params = StdioServerParameters(command=str(CLOUDBLAME), args=["mcp", "--db", db])
    result = session(params, lambda c: c.call_tool("blame", {"resource": sample.spotlight}))
    assert answer(result) == cli_json("blame", sample.spotlight, "--db", db)
    assert answer(result)["resource"]["id"] == sample.spotlight


def test_events_filters_and_cursor_paging(demo: tuple[str, Any]) -> None:
    db = demo[0]
    server = create_server(db)

    async def pages(client: Client) -> list[Any]:
        first = answer(await client.call_tool("events", {"event_name": "RunInstances", "limit": 3}))
        second = answer(await client.call_tool("events", {"event_name": "RunInstances", "limit": 3,
                                                           "after": first["next"]}))
        back = answer(await client.call_tool("events", {"event_name": "RunInstances", "limit": 3,
                                                         "before": second["prev"]}))
        return [first, second, back]

    first, second, back = session(server, pages)
    cli = cli_json("events", "--event-name", "RunInstances", "--limit", "6", "--db", db)
    assert first["events"] + second["events"] == cli  # the CLI's items, in its order, page after page
    assert back["events"] == first["events"] and first["prev"] is None
    assert first["count"]["count"] >= 6 and first["filters"] == {"event_name": "RunInstances"}
    either = answer(call(db, "events", {"event_name": ["RunInstances", "CreateBucket"], "read_only": False,
                                        "limit": 200}))
    names = Counter(e["event_name"] for e in either["events"])
    assert set(names) == {"RunInstances", "CreateBucket"} and not any(e["read_only"] for e in either["events"])
    human = cli[0]["actor"]["human"]
    mine = answer(call(db, "events", {"username": human, "since": "2000-01-01", "sort": "time_asc", "limit": 5}))
    assert mine["events"] == cli_json("events", "--username", human, "--since", "2000-01-01", "--sort", "time_asc",
                                      "--limit", "5", "--db", db)


def test_event_by_prefix_with_its_raw_record(demo: tuple[str, Any]) -> None:
    db = demo[0]
    some = answer(call(db, "events", {"limit": 1000}))["events"]
    event_id = some[0]["event_id"]
    detail = answer(call(db, "event", {"event_id": event_id[:10]}))
    assert detail == cli_json("event", event_id, "--db", db)
    assert detail["event_id"] == event_id and detail["raw"]["eventID"] == event_id
    shared = next(p for p, n in Counter(e["event_id"][:4] for e in some).items() if n > 1)
    several = call(db, "event", {"event_id": shared})
    assert several.is_error and "ambiguous" in text_of(several)
    assert "candidates:" in text_of(several)


def test_who_inventory_forgotten_catalog_are_the_cli_json(demo: tuple[str, Any]) -> None:
    db, sample = demo
    human = answer(call(db, "blame", {"resource": sample.spotlight}))["created"]["actor"]["human"]
    assert answer(call(db, "who", {"identity": human, "limit": 5})) == cli_json("who", human, "--limit", "5",
                                                                                 "--db", db)
    everything = cli_json("inventory", "--limit", "0", "--db", db)
    page = answer(call(db, "inventory", {"limit": 3, "offset": 2}))
    assert page["resources"] == everything["resources"][2:5] and page["count"] == everything["count"] > 5
    assert (page["offset"], page["limit"], page["total_usd_per_month"]) == (2, 3, everything["total_usd_per_month"])
    by_owner = answer(call(db, "inventory", {"by": "owner"}))
    assert by_owner["groups"] == cli_json("inventory", "--by", "owner", "--db", db)["groups"]
    forgotten = answer(call(db, "forgotten", {"idle": "14d", "limit": 100}))
    assert {**forgotten, "offset": None} == {**cli_json("forgotten", "--idle", "14d", "--db", db), "offset": None}
    rules = answer(call(db, "catalog", {"event_source": "ec2", "action": "create", "limit": 1000}))
    assert rules["rows"] == cli_json("catalog", "--event-source", "ec2", "--action", "create") and rules["count"] > 5
    inferred = answer(call(db, "catalog", {"inferred": True}))
    assert inferred["rows"][:100] == cli_json("catalog", "--inferred", "--db", db)[:100]


def test_costs_is_the_cli_json_with_a_bill_and_without(demo: tuple[str, Any], tmp_path: Path) -> None:
    from tests.web.billed import billed_copy

    db = demo[0]
    none = answer(call(db, "costs", {}))
    assert none == cli_json("costs", "show", "--limit", "25", "--db", db)
    assert none["period"] is None and none["total_usd"] is None and none["resources"] == []
    billed = str(billed_copy(Path(db), tmp_path)[0])
    for by in ("resource", "owner", "tool", "service"):
        got = answer(call(billed, "costs", {"by": by, "limit": 3}))
        assert got == cli_json("costs", "show", "--by", by, "--limit", "3", "--db", billed), by
        assert got["period"] == "2026-03-01" and got["total_usd"] > got["attributed_usd"] > 0
    february = answer(call(billed, "costs", {"period": "2026-02", "limit": 0}))
    assert february["resources"] == [] and february["count"] > 3 and february["unattributed"]
    assert {**february, "resources": None, "limit": None} == {
        **cli_json("costs", "show", "--period", "2026-02", "--db", billed), "resources": None, "limit": None}
    schema = {t.name: t for t in session(create_server(db), lambda c: c.list_tools()).tools}["costs"].input_schema
    assert schema["properties"]["by"]["enum"] == ["resource", "owner", "tool", "service"]
    assert schema["properties"]["limit"]["minimum"] == 0 and "required" not in schema


@pytest.mark.parametrize("name, arguments, message", [
    ("blame", {"resource": "i-0doesnotexist"}, "no resource with id, ARN or name 'i-0doesnotexist'"),
    ("event", {"event_id": "ab"}, "too short"),
    ("events", {"since": "last tuesday"}, "cannot read time"),
    ("events", {"after": "not-a-cursor"}, "bad paging cursor"),
    ("who", {"identity": "nobody-at-all"}, "no event by"),
    ("catalog", {"action": "explode"}, "unknown action"),
    ("events", {"limit": 0}, "greater than or equal to 1"),
    ("costs", {"by": "region"}, "--by must be one of resource, owner, tool, service"),
    ("costs", {"period": "2025-01"}, "no bill imported for the period 2025-01"),
])
def test_user_errors_are_tool_errors(demo: tuple[str, Any], name: str, arguments: dict[str, Any],
                                     message: str) -> None:
    async def both(client: Client) -> tuple[CallToolResult, CallToolResult]:
        return await client.call_tool(name, arguments), await client.call_tool("events", {"limit": 1})

    failed, after = session(create_server(demo[0]), both)
    assert failed.is_error and message in text_of(failed)
    assert len(answer(after)["events"]) == 1  # the server goes on answering


def test_a_fault_is_logged_and_told_without_its_details(demo: tuple[str, Any], monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("cloudblame.mcpserver.server.who_query", broken)
    with caplog.at_level(logging.ERROR):
        result = call(demo[0], "who", {"identity": "alice"})
    assert result.is_error and text_of(result) == "Error executing tool who"
    causes = [r.exc_info[1].__cause__ for r in caplog.records if r.exc_info and r.exc_info[1]]
    assert any("secret internals" in str(cause) for cause in causes)  # the traceback is in the log


def test_no_store_there_is_a_tool_error_then_a_refused_command(tmp_path: Path) -> None:
    result = call(str(tmp_path / "nothing"), "events", {})
    assert result.is_error and "no store at" in text_of(result)
    refused = runner.invoke(app, ["mcp", "--db", str(tmp_path / "nothing")])
    assert refused.exit_code == 2 and "no store at" in refused.stderr
    assert not (tmp_path / "nothing").exists()


def test_a_session_changes_nothing_in_the_store(demo: tuple[str, Any]) -> None:
    db, sample = demo
    before = fingerprint(db)

    async def every_tool(client: Client) -> list[CallToolResult]:
        return [await client.call_tool(name, arguments) for name, arguments in (
            ("blame", {"resource": sample.spotlight}), ("events", {"text": "delete", "limit": 100}),
            ("who", {"identity": "alice"}), ("inventory", {"by": "type"}), ("forgotten", {}),
            ("catalog", {"inferred": True}), ("events", {"event_name": "DeleteBucket"}), ("costs", {"by": "owner"}))]

    params = StdioServerParameters(command=str(CLOUDBLAME), args=["mcp", "--db", db])
    assert not any(r.is_error for r in session(params, every_tool))
    assert fingerprint(db) == before


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serving(db: str, *extra: str) -> Iterator[str]:
    """`cloudblame mcp --http` in a process of its own; yields its endpoint URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "CLOUDBLAME_TOKEN"}
    with tempfile.TemporaryFile() as log:  # its stderr: a pipe nobody reads could fill and stall it
        proc = subprocess.Popen([str(CLOUDBLAME), "mcp", "--http", "--port", str(port), "--db", db, *extra],
                                stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            deadline = time.monotonic() + 30
            while not listening(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the server did not start: {log.read().decode(errors='replace')}")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def token_server(demo: tuple[str, Any]) -> Iterator[str]:
    yield from serving(demo[0], "--token", "s3cret-token")


@pytest.fixture(scope="module")
def local_server(demo: tuple[str, Any]) -> Iterator[str]:
    yield from serving(demo[0])


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def http_session(url: str, headers: dict[str, str], body: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with (httpx2.AsyncClient(headers=headers) as http,
                    Client(streamable_http_client(url, http_client=http)) as client):
            return await body(client)
    return anyio.run(main)


def test_http_with_a_token_answers_only_requests_carrying_it(token_server: str, demo: tuple[str, Any]) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}):
        refused = httpx.post(token_server, json=INITIALIZE, headers={**MCP_HEADERS, **headers})
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    other_name = httpx.post(token_server, json=INITIALIZE, headers={**MCP_HEADERS, "Host": "mcp.example.com",
                                                                    "Authorization": "Bearer s3cret-token"})
    assert other_name.status_code == 200  # with the token, any Host name (as `serve`)
    result = http_session(token_server, {"Authorization": "Bearer s3cret-token"},
                          lambda c: c.call_tool("blame", {"resource": demo[1].spotlight}))
    assert answer(result) == cli_json("blame", demo[1].spotlight, "--db", demo[0])


def test_http_without_a_token_answers_loopback_names_only(local_server: str) -> None:
    for host in ("attacker.example.com", "attacker.example.com:80", "10.0.0.1"):
        refused = httpx.post(local_server, json=INITIALIZE, headers={**MCP_HEADERS, "Host": host})
        assert refused.status_code == 421, host
    port = local_server.split(":")[2].split("/")[0]
    assert httpx.post(local_server, json=INITIALIZE, headers={**MCP_HEADERS, "Host": f"localhost:{port}"}
                      ).status_code == 200
    tools = http_session(local_server, {}, lambda c: c.list_tools())
    assert {t.name for t in tools.tools} == TOOLS


def test_http_beyond_loopback_needs_a_token(demo: tuple[str, Any]) -> None:
    refused = runner.invoke(app, ["mcp", "--http", "--host", "0.0.0.0", "--db", demo[0]], env={"CLOUDBLAME_TOKEN": ""})
    assert refused.exit_code == 2 and "needs --token" in refused.stderr
