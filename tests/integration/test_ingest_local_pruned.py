"""`cloudblame ingest FOLDER --account/--region/--since/--until` prunes a local copy of a trail bucket by key, as
the S3 walk prunes the bucket (and as `cloudblame spark ingest` prunes both): only the files of those accounts,
regions and delivery days (a day wider on each side) are read."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.demo import generate_sample_trail
from cloudblame.sources.files import discover
from cloudblame.store import Store

ACCOUNTS = ("111122223333", "444455551111")  # the generator's accounts, in its order


def _kept(trail: Path, path: str) -> bool:  # the layout, read here on its own: AWSLogs/ACCOUNT/CloudTrail/REGION/Y/M/D/
    parts = Path(path).relative_to(trail).parts
    return (parts[1], parts[3]) == (ACCOUNTS[1], "us-east-1") and "2026-10-03" <= "-".join(parts[4:7]) <= "2026-10-06"


def test_a_local_copy_of_a_bucket_is_pruned_by_key(tmp_path):
    trail = tmp_path / "trail"
    generate_sample_trail(trail, records=1500, days=8, accounts=2)
    files = discover([str(trail)])[0]
    expected = sorted(f for f in files if _kept(trail, f))
    assert 0 < len(expected) < len(files) // 6
    db = tmp_path / "store"
    result = CliRunner().invoke(app, ["ingest", str(trail), "--db", str(db), "--account", ACCOUNTS[1], "--region",
                                      "us-east-1", "--since", "2026-10-04", "--until", "2026-10-05", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    summary = summary[0] if isinstance(summary, list) else summary
    assert summary["files"] == len(expected), summary
    with Store.open(db, read_only=True) as store:
        assert sorted(r["path"] for r in store.query("SELECT path FROM objects")) == expected
        assert store.scalar("SELECT count(DISTINCT account_id) FROM events") == 1


def test_without_a_filter_every_file_is_read(tmp_path):
    trail = tmp_path / "trail"
    generate_sample_trail(trail, records=300, days=2, accounts=2)
    db = tmp_path / "store"
    result = CliRunner().invoke(app, ["ingest", str(trail), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    with Store.open(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM objects") == len(discover([str(trail)])[0])
