"""The server reads published snapshots: an ingest in another process never makes a request wait or
fail, no request sees part of what an ingest commits (the count is the old one or the new one, never
between), and new events are seen once published, without restarting the server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request

import pytest

from cloudblame.demo.generator import generate_sample_trail
from tests.web.conftest import RunningServer


@pytest.fixture
def db_copy(demo, tmp_path):
    copy = tmp_path / "copy-store"
    shutil.copytree(demo[0], copy)
    return copy


def test_ingest_in_another_process_while_serving(db_copy, tmp_path):
    generate_sample_trail(tmp_path / "more", records=3000, seed=77)
    with RunningServer(db_copy) as server:
        def count() -> int:
            with urllib.request.urlopen(f"{server.url}/api/events?limit=1", timeout=10) as r:
                assert r.status == 200
                return json.loads(r.read())["count"]["count"]

        before = count()
        ingest = subprocess.Popen([sys.executable, "-m", "cloudblame", "ingest", str(tmp_path / "more"), "--db",
                                   str(db_copy), "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        seen = []
        while ingest.poll() is None:
            seen.append(count())
        out, err = ingest.communicate(timeout=120)
        assert ingest.returncode == 0, err
        new = json.loads(out)["new"]
        after = count()
        assert new > 2500 and after == min(before + new, 10_000)
        assert set(seen) <= {before, after}, "a request saw part of a publish"
