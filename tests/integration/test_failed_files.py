"""A file that could not be read completely is not done: what was read of it is kept, the failure is
reported with its reason (exit 1), `cloudblame problems` lists it, and the next ingest reads it again;
once it reads completely it is done and nothing is pending."""

from __future__ import annotations

import gzip
import json

from typer.testing import CliRunner

from cloudblame.cli.app import app
from tests.conftest import dataset

runner = CliRunner()


def _records() -> list[dict]:
    path = sorted(dataset("invictus-aws").rglob("*.json"))[0]
    return json.loads(path.read_text())["Records"]


def _ingest(folder, db):
    return runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--format", "json"])


def _problems(db):
    return runner.invoke(app, ["problems", "--db", str(db), "--format", "json"])


def test_a_truncated_gzip_is_read_again_until_it_is_whole(tmp_path):
    records = _records()
    whole = gzip.compress(json.dumps({"Records": records}).encode())
    folder, db = tmp_path / "logs", tmp_path / "store"
    folder.mkdir()
    (folder / "trail.json.gz").write_bytes(whole[: len(whole) * 2 // 3])  # still being written

    first = _ingest(folder, db)
    assert first.exit_code == 1, first.output
    summary = json.loads(first.stdout)
    assert [f["path"] for f in summary["failed_files"]] == [str(folder / "trail.json.gz")]
    assert "truncated gzip" in summary["failed_files"][0]["reason"]
    pending = _problems(db)
    assert pending.exit_code == 1 and json.loads(pending.stdout)["count"] == 1
    assert "truncated gzip" in json.loads(pending.stdout)["pending"][0]["reason"]

    again = json.loads(_ingest(folder, db).stdout)  # unchanged, yet read again: it was not done
    assert again["files_read"] == 1 and again["files_unchanged"] == 0

    (folder / "trail.json.gz").write_bytes(whole)
    done = _ingest(folder, db)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["failed_files"] == []
    assert _problems(db).exit_code == 0 and json.loads(_problems(db).stdout)["count"] == 0
    count = runner.invoke(app, ["sql", "--db", str(db), "--format", "json", "SELECT count(*) AS n FROM events"])
    assert json.loads(count.stdout)[0]["n"] == len({r["eventID"] for r in records})
    assert json.loads(_ingest(folder, db).stdout)["files_unchanged"] == 1  # now done


def test_json_lines_whose_last_line_is_being_written(tmp_path):
    records = _records()[:5]
    lines = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    folder, db = tmp_path / "logs", tmp_path / "store"
    folder.mkdir()
    (folder / "export.jsonl").write_bytes(lines + json.dumps(records[0])[:40].encode())
    first = _ingest(folder, db)
    assert first.exit_code == 1 and "incomplete" in json.loads(first.stdout)["failed_files"][0]["reason"]
    (folder / "export.jsonl").write_bytes(lines)
    assert _ingest(folder, db).exit_code == 0 and _problems(db).exit_code == 0


def test_a_bad_line_inside_a_file_is_a_problem_of_a_file_read_completely(tmp_path):
    records = _records()[:3]
    folder, db = tmp_path / "logs", tmp_path / "store"
    folder.mkdir()
    (folder / "export.jsonl").write_bytes(json.dumps(records[0]).encode() + b"\n{not json\n"
                                          + json.dumps(records[1]).encode() + b"\n")
    first = _ingest(folder, db)
    summary = json.loads(first.stdout)
    assert first.exit_code == 1 and summary["problems"] and summary["failed_files"] == []
    assert _problems(db).exit_code == 0
    assert json.loads(_ingest(folder, db).stdout)["files_unchanged"] == 1
