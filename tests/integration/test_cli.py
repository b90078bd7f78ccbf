"""The CLI as a user drives it: ingest, blame, events, event; formats; exit codes; hostile values."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from tests.integration.formats import write_jsonl, write_trail_layout
from tests.integration.sample_records import sample_records

runner = CliRunner()


@pytest.fixture
def loaded(tmp_path):
    records, _ = sample_records()
    write_trail_layout(tmp_path / "trail", records, per_file=3)
    db = str(tmp_path / "cli-store")
    result = runner.invoke(app, ["ingest", str(tmp_path / "trail"), "--db", db])
    assert result.exit_code == 0, result.output
    return db, tmp_path


def run(*args):
    result = runner.invoke(app, list(args))
    return result


def test_ingest_summary_and_rerun(loaded):
    db, tmp = loaded
    again = run("ingest", str(tmp / "trail"), "--db", db, "--format", "json")
    summary = json.loads(again.stdout)
    assert again.exit_code == 0
    assert (summary["files"], summary["files_unchanged"], summary["new"]) == (2, 2, 0)


def test_ingest_of_nothing_readable_exits_non_zero(tmp_path):
    (tmp_path / "x.json").write_text("{broken")
    result = run("ingest", str(tmp_path / "x.json"), "--db", str(tmp_path / "s-store"))
    assert result.exit_code == 1
    assert "invalid JSON" in result.stderr
    assert run("ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "s-store")).exit_code == 2  # the user's


def test_blame_json_shape(loaded):
    db, _ = loaded
    result = run("blame", "i-0fedcba9876543210", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    actor = data["created"]["actor"]
    principal = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_0a1b2c3d4e5f6a7b/maria.lopez@example.com"
    assert {k: actor[k] for k in ("human", "identity_type", "session_name", "principal", "kind", "confidence")} == {
        "human": "maria.lopez@example.com", "identity_type": "AssumedRole", "session_name": "maria.lopez@example.com",
        "principal": principal, "kind": "sso", "confidence": "high"}
    assert actor["chain"] == [{"principal": principal, "how": "sso", "linked_by": "identity", "event_id": None}]
    assert data["created"]["tool"]["id"] == "terraform" and data["created"]["tool"]["version"] == "1.9.8"
    assert data["created"]["time"] == "2025-03-04T09:12:44Z"
    assert data["deleted"]["actor"]["human"] == "tom" and data["deleted"]["tool"]["id"] == "aws-cli"
    assert data["deleted"]["event_name"] == "TerminateInstances"
    actions = [(t["event_name"], t["action"]) for t in data["timeline"]]
    assert actions[0] == ("RunInstances", "create") and actions[-1] == ("TerminateInstances", "delete")
    assert ("StopInstances", "modify") in actions
    assert data["resource"]["name"] == "build-runner"


def test_failed_creation_is_not_a_creation(loaded):
    db, _ = loaded
    result = run("events", "--db", db, "--error", "--format", "json")
    failed = json.loads(result.stdout)
    assert [e["error_code"] for e in failed] == ["Client.UnauthorizedOperation"]
    assert failed[0]["actor"]["human"] == "tom"


def test_blame_table_and_csv(loaded):
    db, _ = loaded
    table = run("blame", "sandbox-reports-2025", "--db", db)
    assert table.exit_code == 0 and "tom" in table.stdout and "console" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run("blame", "sandbox-reports-2025", "--db", db, "-f", "csv").stdout)))
    assert rows[0]["event_name"] == "CreateBucket" and rows[0]["actor.human"] == "tom"


def test_blame_unknown_resource_exits_2(loaded):
    db, _ = loaded
    result = run("blame", "i-does-not-exist", "--db", db)
    assert result.exit_code == 2
    assert "no resource" in result.stderr and result.stdout == ""


def test_events_filters_combine(loaded):
    db, _ = loaded

    def ids(*args):
        out = run("events", "--db", db, "--format", "json", *args)
        assert out.exit_code == 0, out.output
        return [e["event_name"] for e in json.loads(out.stdout)]

    assert ids("--username", "tom") == ["TerminateInstances", "StopInstances", "CreateBucket", "RunInstances"]
    assert ids("--username", "maria.lopez@example.com", "--read-only") == ["DescribeInstances"]
    assert ids("--write-only", "--tool", "terraform") == ["RunInstances"]
    assert ids("--resource-name", "i-0fedcba9876543210", "--event-source", "ec2", "--write-only") == [
        "TerminateInstances", "StopInstances", "RunInstances"]
    assert ids("--resource-type", "AWS::S3::Bucket") == ["CreateBucket"]
    assert ids("--access-key", "ASIAEXAMPLEKEY000001") == ["DescribeInstances", "RunInstances"]
    assert ids("--since", "2025-03-05", "--until", "2025-03-11") == ["StopInstances", "DescribeInstances", "CreateBucket"]
    assert ids("--account", "999999999999") == []
    assert ids("--region", "eu-west-1", "--limit", "2") == ["TerminateInstances", "StopInstances"]
    assert ids("--event-name", "CreateBucket", "--error") == []


def test_events_bad_filter_is_a_clear_error(loaded):
    db, _ = loaded
    result = run("events", "--db", db, "--since", "yesterday")
    assert result.exit_code == 2 and "relative age" in result.output
    assert run("events", "--db", db, "--limit", "-1").exit_code == 2  # 0 is every event (streamed)


def test_event_detail(loaded):
    db, _ = loaded
    eid = "7d3f2e10-aaaa-bbbb-cccc-000000000001"
    data = json.loads(run("event", eid, "--db", db, "-f", "json").stdout)
    assert data["raw"]["eventID"] == eid and data["actor"]["kind"] == "sso"
    assert any(r["id"] == "i-0fedcba9876543210" and r["action"] == "create" for r in data["resources"])
    table = run("event", eid, "--db", db)
    assert table.exit_code == 0 and "build-runner" in table.stdout
    assert run("event", "nope", "--db", db).exit_code == 2


def test_missing_store_is_explained(tmp_path):
    result = run("events", "--db", str(tmp_path / "none-store"))
    assert result.exit_code == 2 and "cloudblame ingest" in result.output


def test_hostile_values_are_shown_as_text(tmp_path, monkeypatch):
    from cloudblame.cli.output import console

    monkeypatch.setattr(console, "fixed_width", 400)
    records, _ = sample_records()
    evil = dict(records[4], eventID="evil-1", userAgent="<script>alert(1)</script> [bold red]x[/bold red]",
                requestParameters={"bucketName": "[link=http://evil]b[/link]"})
    write_jsonl(tmp_path / "in", [evil])
    db = str(tmp_path / "s-store")
    assert run("ingest", str(tmp_path / "in"), "--db", db).exit_code == 0
    out = run("events", "--db", db).stdout
    assert "[link=http://evil]b[/link]" in out and "<script>" not in out
    detail = run("event", "evil-1", "--db", db).stdout
    assert "<script>alert(1)</script>" in detail and "[bold red]x[/bold red]" in detail


def test_recreated_resource_blames_the_current_incarnation(tmp_path):
    from tests.integration.sample_records import iam_user, record

    alice, bob = iam_user("alice", "AKIAALICE"), iam_user("bob", "AKIABOB")
    req = {"bucketName": "reused-name"}
    records = [
        record(1, "2025-01-01T00:00:00Z", "s3.amazonaws.com", "CreateBucket", alice, "[S3Console/0.4]", req),
        record(2, "2025-01-02T00:00:00Z", "s3.amazonaws.com", "DeleteBucket", alice, "[S3Console/0.4]", req),
        record(3, "2025-01-03T00:00:00Z", "s3.amazonaws.com", "CreateBucket", bob, "aws-cli/2.15.0", req),
        record(4, "2025-01-04T00:00:00Z", "s3.amazonaws.com", "CreateBucket", alice, "aws-cli/2.15.0", req,
               error="BucketAlreadyOwnedByYou"),
    ]
    write_jsonl(tmp_path / "in", records)
    db = str(tmp_path / "s-store")
    assert run("ingest", str(tmp_path / "in"), "--db", db).exit_code == 0
    data = json.loads(run("blame", "reused-name", "--db", db, "-f", "json").stdout)
    assert data["created"]["actor"]["human"] == "bob" and data["deleted"] is None
    assert [t["error_code"] for t in data["timeline"]] == [None, None, None, "BucketAlreadyOwnedByYou"]


def test_event_by_unique_prefix(loaded):
    db, _ = loaded
    data = json.loads(run("event", "7d3f2e10-aaaa-bbbb-cccc-000000000004", "--db", db, "-f", "json").stdout)
    assert data["event_name"] == "TerminateInstances"
    ambiguous = run("event", "7d3f2e10", "--db", db)
    assert ambiguous.exit_code == 2 and "ambiguous" in ambiguous.stderr
    assert "7d3f2e10-aaaa-bbbb-cccc-000000000006" in ambiguous.stderr  # the candidates
    assert run("event", "7d3f", "--db", db).exit_code == 2  # ambiguous too
    assert run("event", "7d3", "--db", db).exit_code == 2  # too short to be a prefix


def _command_paths(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, command in click_group.commands.items():
        yield prefix + (name,)
        if hasattr(command, "commands"):
            yield from _command_paths(command, prefix + (name,))


def test_every_command_has_working_help():
    """Help text holds brackets (s3://BUCKET[/PREFIX]): it must print as text, never as markup."""
    paths = list(_command_paths(app))
    assert ("ingest",) in paths and len(paths) >= 10
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
    assert "s3://BUCKET[/PREFIX]" in runner.invoke(app, ["ingest", "--help"]).output.replace("\n", "")
