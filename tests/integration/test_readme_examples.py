"""Every `cloudblame ...` line in README.md's code blocks, and every example in the commands' help,
answers on the demo store as written (exit 0 and something on stdout). Lines that cannot answer there
say why first thing in their comment: "(needs AWS", "(a server", "(needs an earlier store"; exactly
those are skipped, saying so."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.cli.examples import EXAMPLES
from tests.conftest import ROOT

runner = CliRunner()
CANNOT_ANSWER = {"(needs AWS": "needs AWS credentials and a trail of one's own",
                 "(a server": "starts a server that runs until stopped",
                 "(needs an earlier store": "needs a store file of an earlier cloudblame"}


def readme_lines() -> list[str]:
    """The lines starting with `cloudblame ` inside README.md's fenced code blocks."""
    lines, inside = [], False
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside and line.startswith("cloudblame "):
            lines.append(line)
    return lines


def help_examples() -> list[tuple[str, str]]:
    return [(line, note) for examples in EXAMPLES.values() for line, note in examples]


def split_comment(line: str) -> tuple[str, str]:
    """The command and what follows its ` # ` outside quotes (the README's comments)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and i > 0 and line[i - 1].isspace():
            return line[:i].strip(), line[i + 1:].strip()
    return line.strip(), ""


def comment_of(line: str) -> str:
    return split_comment(line)[1]


def why_not(note: str) -> str | None:
    return next((reason for marker, reason in CANNOT_ANSWER.items() if note.strip().startswith(marker)), None)


def run_line(line: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run one example in ``cwd`` (a copy of the demo folder) and check it answered."""
    argv = shlex.split(split_comment(line)[0])
    assert argv[0] == "cloudblame"
    argv = argv[1:argv.index(">")] if ">" in argv else argv[1:]  # `> file`: stdout is the answer
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("CLOUDBLAME_DB", raising=False)
    result = runner.invoke(app, argv, env={"COLUMNS": "100"})
    assert result.exit_code == 0, (line, result.output)
    assert result.stdout.strip(), (line, result.stderr)


@pytest.fixture(scope="module")
def readme_demo(made_demo, tmp_path_factory) -> Path:
    """A copy of the demo folder for the README's lines (compact and vacuum change the store)."""
    copy = tmp_path_factory.mktemp("readme") / "demo"
    shutil.copytree(made_demo, copy)
    return copy


@pytest.fixture(scope="module")
def help_demo(made_demo, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("help-examples") / "demo"
    shutil.copytree(made_demo, copy)
    return copy


def test_the_readme_has_examples_and_marks_those_needing_aws():
    lines = readme_lines()
    assert len(lines) >= 20
    for line in lines:
        if re.search(r"s3://|--lookup|--profile|^cloudblame (sync|verify) ", line) and not line.startswith(
                "cloudblame athena-ddl "):  # athena-ddl writes text about an S3 location; it reads nothing there
            assert comment_of(line).startswith("(needs AWS") or "needs AWS" in comment_of(line), line


@pytest.mark.parametrize("line", readme_lines(), ids=lambda line: line[:70])
def test_readme_line_answers_on_the_demo_store(line, readme_demo, monkeypatch):
    reason = why_not(comment_of(line))
    if reason:
        pytest.skip(f"{reason}: {split_comment(line)[0]}")
    run_line(line, readme_demo, monkeypatch)


@pytest.mark.parametrize(("line", "note"), help_examples(), ids=lambda x: x[:70])
def test_help_example_answers_on_the_demo_store(line, note, help_demo, monkeypatch):
    reason = why_not(note)
    if reason:
        pytest.skip(f"{reason}: {line}")
    run_line(line, help_demo, monkeypatch)


def test_relative_times_count_back_from_the_newest_event_of_an_archive(made_demo, monkeypatch):
    """The demo's events are weeks old: --since 7d means the last 7 days of the store, and stderr says so."""
    monkeypatch.chdir(made_demo)
    result = runner.invoke(app, ["events", "--since", "7d", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "newest stored event" in result.stderr
    assert result.stdout.strip() not in ("", "[]")
    absolute = runner.invoke(app, ["events", "--since", "2026-01-01", "--limit", "1"])
    assert absolute.exit_code == 0 and "newest stored event" not in absolute.stderr


def _command_paths(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, command in click_group.commands.items():
        if hasattr(command, "commands"):
            yield from _command_paths(command, prefix + (name,))
        else:
            yield prefix + (name,)


def test_every_command_teaches_with_examples_and_readable_placeholders():
    for path in _command_paths(app):
        text = runner.invoke(app, [*path, "-h"]).output
        assert "Usage:" in text, path
        assert not re.search(r"<(str|int|float|list\[[^]]*\]|int range|float range|path)>", text), (path, text)
        shown = [x for x in text.split("Examples:", 1)[-1].splitlines() if x.strip().startswith("cloudblame ")]
        assert "Examples:" in text and 2 <= len(shown) <= 4, (path, text)
        assert all(len(x) <= 80 for x in shown), shown


def test_version_and_first_steps():
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("cloudblame ")
    alone = runner.invoke(app, [])
    assert "Commands:" in alone.output and "First steps:" in alone.output
    assert "cloudblame demo" in alone.output and "cloudblame ingest" in alone.output
