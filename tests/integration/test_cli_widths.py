"""Every command's output is readable at 80, 100 and 120 columns and in a pipe: no line wider than the
output (but for a lone id longer than it, kept whole), and every id, ARN and event id printed whole
on one line, never split nor cut."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.cli.output import Column, fit_widths, ident, text

runner = CliRunner()
WIDTHS = (80, 100, 120)
SPOTLIGHT = "i-186a74a63a8c7d9e0"  # the demo's (cli/examples.py, README.md)
ID_KEYS = {"id", "arn", "event_id", "access_key_id", "resource_id", "example_id", "path"}

COMMANDS = [
    ["events"], ["events", "--error"], ["events", "--username", "maria.lopez@example.com", "--limit", "20"],
    ["blame", SPOTLIGHT], ["blame", "sandbox-eks"], ["who", "tom.becker@example.com"], ["who", "alice"],
    ["inventory", "--limit", "40"], ["inventory", "--by", "owner"], ["inventory", "--by", "type"], ["forgotten"],
    ["catalog", "--event-source", "ec2"], ["catalog", "--inferred"], ["problems"], ["event", "75d8d8a4"],
    ["sql", "SELECT resource_type, resource_id, arn, owner, created_time, usd_per_month FROM inventory LIMIT 30"],
    ["prices", "show", "AWS::EC2::Instance", "--size", "instance_type=m5.large"],
    ["insights"], ["insight", "c14c3a7a"], ["insight", "a6d1fd"],
]


def run(args: list[str], store: Path, width: int, fmt: str | None = None):
    argv = [*args, "--db", str(store)] if args[0] != "prices" else list(args)
    result = runner.invoke(app, argv + (["--format", fmt] if fmt else []), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, (args, result.output)
    return result


def values_in(data: object, keys: set[str] = ID_KEYS) -> set[str]:
    """The ids, ARNs, keys and event ids (or other ``keys``) anywhere in a command's JSON."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key in keys and isinstance(value, str) and len(value) >= 4:
                found.add(value)
                if key == "event_id":
                    found.add(value[:8])  # tables show event ids as their first 8 characters
            else:
                found |= values_in(value, keys)
    elif isinstance(data, list):
        for item in data:
            found |= values_in(item, keys)
    return found


def check_readable(output: str, width: int, ids: set[str], names: frozenset[str] = frozenset()) -> None:
    """Lines within ``width``; ``ids`` never split nor cut (a shortened name may look like an id)."""
    output = output.split("\nraw record\n")[0]  # `event`'s raw record is printed as it is
    lines = output.splitlines()
    for line in lines:
        shown = line.rstrip()
        assert cell_len(shown) <= width or " " not in shown.strip(), f"wider than {width}: {line!r}"
    squeezed = "".join(output.split())
    for value in ids:
        if value in squeezed and not any(value in line for line in lines):
            pytest.fail(f"{value} split across lines:\n{output}")
    for token in output.split():
        cut = token[:-1].lstrip("(")
        if token.endswith("…") and len(cut) > 3 and not any(n.startswith(cut) for n in names):
            assert not any(v.startswith(cut) for v in ids), f"{token} cut an id"


@pytest.fixture(scope="module")
def store(made_demo) -> Path:
    return made_demo / "cloudblame-store"


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:50])
def test_every_table_fits_80_100_and_120_columns(args, store):
    data = None if args[0] == "prices" else json.loads(run(args, store, 120, "json").stdout)
    ids, names = values_in(data), frozenset(values_in(data, {"name"}))
    for width in WIDTHS:
        check_readable(run(args, store, width).stdout, width, ids, names)


def test_ingest_summary_and_demo_output_fit(tmp_path, made_demo):
    for width in WIDTHS:
        result = runner.invoke(app, ["ingest", str(made_demo / "demo-trail"), "--db", str(tmp_path / f"s{width}")],
                               env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        check_readable(result.stdout, width, set())
    demo = runner.invoke(app, ["demo", "--records", "1500", "--out", str(tmp_path / "trail"), "--db",
                               str(tmp_path / "demo-store")], env={"COLUMNS": "80"})
    assert demo.exit_code == 0, demo.output
    check_readable(demo.stdout, 80, {SPOTLIGHT})
    assert "\n  cloudblame who " in demo.stdout  # next steps that answer on this store


def test_wide_shows_every_column(store):
    narrow = run(["events"], store, 80).stdout
    wide = run(["events", "--wide"], store, 80).stdout
    assert "--wide shows all" in narrow and "resources" not in narrow.splitlines()[1]
    header = wide.splitlines()[1]
    assert all(h in header for h in ("source", "tool", "region", "resources", "error", "event id"))
    assert "…" not in wide


def _piped(args: list[str], env: dict[str, str]) -> list[str]:
    """``cloudblame args`` with stdin, stdout and stderr all pipes (no terminal anywhere)."""
    exe = Path(sys.executable).with_name("cloudblame")
    out = subprocess.run([str(exe), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                         timeout=120, check=True).stdout
    return out.splitlines()


def test_a_pipe_is_120_columns_unless_columns_says_otherwise(store):
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    widest = max(cell_len(x.rstrip()) for x in _piped(["events", "--db", str(store)], env))
    assert 100 < widest <= 120
    narrow = max(cell_len(x.rstrip()) for x in _piped(["events", "--db", str(store)], dict(env, COLUMNS="80")))
    assert narrow <= 80


def test_least_useful_columns_go_first_and_ids_are_never_cut():
    columns: list[Column] = [ident("id"), text("name", 1, 8), text("note", 2, 8)]
    natural = [30, 20, 40]
    assert fit_widths(columns, natural, 200) == [30, 20, 40]
    assert fit_widths(columns, natural, 80) == [30, 20, 26]  # the least useful text is shortened
    assert fit_widths(columns, natural, 50) == [30, 18, None]  # then dropped
    assert fit_widths(columns, natural, 20) == [30, None, None]  # an id stays whole, however narrow
    assert fit_widths(columns, natural, 20, wide=True) == natural


def test_control_characters_of_a_record_never_reach_the_terminal():
    from cloudblame.cli.output import cell, plain

    hostile = "bucket\x1b]8;;http://evil\x07name\nnext"
    assert "\x1b" not in cell(hostile).plain and "\n" not in plain(hostile)
