"""Errors by kind, for every command: a user's error exits 2 with one line, problems found exit 1, a fault
exits 1 with "internal error" (no traceback); messages on stderr, stdout the result alone."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from tests.integration.formats import write_jsonl
from tests.integration.sample_records import ACCOUNT, iam_user, record

runner = CliRunner()
OTHER_ACCOUNT = "222233334444"
IDS = ("1a2b0000-0000-0000-0000-000000000001", "1a2b1111-0000-0000-0000-000000000002",
       "9f9f0000-0000-0000-0000-000000000003")


def run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def _records() -> list[dict]:
    """Three buckets created by alice, bob and carol in three regions and two accounts."""
    people = [iam_user(n, f"AKIA{n.upper()}") for n in ("alice", "bob", "carol")]
    regions = ("eu-west-1", "us-east-1", "ap-south-1")
    records = []
    for n, (event_id, who, region) in enumerate(zip(IDS, people, regions), start=1):
        rec = record(n, f"2025-01-0{n}T00:00:00Z", "s3.amazonaws.com", "CreateBucket", who, "aws-cli/2.15.0",
                     {"bucketName": f"bucket-{n}"}, region=region)
        rec["eventID"] = event_id
        rec["recipientAccountId"] = OTHER_ACCOUNT if n == 2 else ACCOUNT
        records.append(rec)
    return records


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("errors")
    write_jsonl(root / "in", _records())
    path = root / "errors-store"
    assert run("ingest", root / "in", "--db", path).exit_code == 0
    return str(path)


def _usage_error(result) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ("inventory", "--limit", "-1"), ("forgotten", "--limit", "-1"), ("who", "alice", "--limit", "-1"),
    ("events", "--limit", "-1"), ("sql", "SELECT 1", "--limit", "-1"), ("ingest", ".", "--workers", "0"),
    ("ingest", ".", "--wait", "-1"), ("demo", "--records", "0"), ("serve", "--port", "0"),
    ("serve", "--port", "70000"),
])
def test_negative_and_out_of_range_numbers_are_usage_errors(db, args):
    result = run(*args, "--db", db)
    _usage_error(result)
    assert "Invalid value" in result.stderr


@pytest.mark.parametrize("args", [("catalog", "--action", "bogus"), ("inventory", "--by", "nobody"),
                                  ("events", "--sort", "sideways")])
def test_unknown_choices_are_usage_errors(db, args):
    result = run(*args, "--db", db)
    _usage_error(result)
    assert "is not one of" in result.stderr


def test_ingest_of_an_empty_folder_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a trail")
    result = run("ingest", tmp_path / "empty", "--db", tmp_path / "s-store")
    _usage_error(result)
    assert "no CloudTrail files" in result.stderr and str(tmp_path / "empty") in result.stderr
    assert not (tmp_path / "s-store").exists()  # refused before any store is made


@pytest.mark.parametrize("path,reason", [("nope", "no such file or folder"), ("nope/*.json", "no file matches")])
def test_ingest_of_a_missing_path_is_one_line(tmp_path, path, reason):
    result = run("ingest", tmp_path / path, "--db", tmp_path / "s-store")
    _usage_error(result)
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_ingest_of_no_local_path_is_not_refused_for_it(tmp_path):
    """S3 and lookup sources have no local path to check: the check must leave them alone."""
    from cloudblame.cli.app import check_local_paths

    check_local_paths([])
    with pytest.raises(ValueError, match="no CloudTrail files"):
        check_local_paths([str(tmp_path)])


def test_ingest_problems_go_to_stderr(tmp_path):
    write_jsonl(tmp_path / "in", _records()[:1])
    (tmp_path / "in" / "broken.json").write_text("{broken")
    table = run("ingest", tmp_path / "in", "--db", tmp_path / "a-store")
    assert table.exit_code == 1 and "records" in table.stdout and "broken.json" not in table.stdout  # found problems
    assert "broken.json" in table.stderr
    as_json = run("ingest", tmp_path / "in", "--db", tmp_path / "b-store", "--format", "json")
    summary = json.loads(as_json.stdout)  # nothing but the JSON
    assert summary["failed_files"] and summary["failed_files"][0]["path"].endswith("broken.json")
    as_csv = run("ingest", tmp_path / "in", "--db", tmp_path / "c-store", "--format", "csv")
    assert as_csv.stdout.count("\n") == 2 and "broken.json" in as_csv.stderr


def _events(db, *args) -> list[str]:
    result = run("events", "--db", db, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return sorted(e["event_id"] for e in json.loads(result.stdout))


def test_repeated_filters_accumulate(db):
    assert _events(db, "--account", OTHER_ACCOUNT) == [IDS[1]]
    assert _events(db, "--account", ACCOUNT, "--account", OTHER_ACCOUNT) == sorted(IDS)
    assert _events(db, "--region", "eu-west-1", "--region", "ap-south-1") == [IDS[0], IDS[2]]
    assert _events(db, "--username", "alice", "--username", "bob") == [IDS[0], IDS[1]]
    assert _events(db, "--resource-name", "bucket-1", "--resource-name", "bucket-3") == [IDS[0], IDS[2]]
    assert _events(db, "--event-id", IDS[0], "--event-id", IDS[2], "--region", "eu-west-1") == [IDS[0]]
    assert _events(db, "--tool", "aws-cli", "--tool", "console", "--account", ACCOUNT) == [IDS[0], IDS[2]]


def test_repeated_inventory_and_catalog_filters_accumulate(db):
    result = run("inventory", "--db", db, "-f", "json", "--region", "eu-west-1", "--region", "us-east-1")
    assert sorted(r["id"] for r in json.loads(result.stdout)["resources"]) == ["bucket-1", "bucket-2"]
    owners = run("inventory", "--db", db, "-f", "json", "--owner", "alice", "--owner", "carol")
    assert sorted(r["id"] for r in json.loads(owners.stdout)["resources"]) == ["bucket-1", "bucket-3"]
    rules = json.loads(run("catalog", "-f", "json", "--action", "create", "--action", "delete").stdout)
    assert {r["action"] for r in rules} == {"create", "delete"}


def test_event_id_prefixes_work_as_in_git(db):
    unique = run("event", "9f9f", "--db", db, "-f", "json")
    assert unique.exit_code == 0 and json.loads(unique.stdout)["event_id"] == IDS[2]
    short = run("event", "9f9", "--db", db)
    _usage_error(short)
    assert "at least 4 characters" in short.stderr
    ambiguous = run("event", "1a2b", "--db", db)
    _usage_error(ambiguous)
    assert "ambiguous" in ambiguous.stderr and IDS[0] in ambiguous.stderr and IDS[1] in ambiguous.stderr
    missing = run("event", "abcd", "--db", db)
    _usage_error(missing)
    assert "no event with id" in missing.stderr


def test_not_found_and_missing_store_exit_2(db, tmp_path):
    for args in (("blame", "nothing-here"), ("who", "nobody-at-all")):
        _usage_error(run(*args, "--db", db))
    none = run("inventory", "--db", tmp_path / "none-store")
    _usage_error(none)
    assert "no store at" in none.stderr


def test_a_fault_is_an_internal_error_not_bad_input(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug deep inside")

    monkeypatch.setattr(sys.modules["cloudblame.cli.app"], "who_query", broken)
    monkeypatch.delenv("CLOUDBLAME_DEBUG", raising=False)
    result = run("who", "alice", "--db", db, "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: internal error: ValueError: a bug deep inside")
    assert "Traceback" not in result.output and "CLOUDBLAME_DEBUG" in result.stderr


def test_a_fault_logs_its_traceback_when_debugging(db, monkeypatch, caplog):
    monkeypatch.setattr(sys.modules["cloudblame.cli.app"], "who_query", lambda *a, **k: 1 / 0)
    monkeypatch.setenv("CLOUDBLAME_DEBUG", "1")
    result = run("who", "alice", "--db", db)
    assert result.exit_code == 1 and "internal error: ZeroDivisionError" in result.stderr
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_help_documents_the_exit_statuses():
    text = " ".join(run("--help").stdout.split())
    assert "Exit status: 0 done; 1 problems found" in text and "2 a usage error" in text
