"""The server opens the store read-only per request: a writer in another process (an ingest) is never
kept out, requests wait for a short write, and a long one gets a clear 503 "store busy, retry"."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.web.conftest import RunningServer, client_for
from tests.web.hostile import write_hostile_trail

# Holds the write lock until a line arrives on stdin (or for argv[2] seconds).
WRITER = """
import sys, select
from cloudblame.store import Store
store = Store.open(sys.argv[1], wait=10)
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))
store.close()
"""


@pytest.fixture
def db_copy(demo, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(demo[0], copy)
    return copy


def hold_write_lock(db, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(seconds)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_long_write_gives_503_store_busy_then_pages_come_back(db_copy):
    with client_for(db_copy, store_wait=0.3) as client:
        writer = hold_write_lock(db_copy, 30)
        try:
            api = client.get("/api/events")
            assert api.status_code == 503 and api.headers["retry-after"] == "2"
            assert api.json()["error"].startswith("store busy or unavailable, retry in a moment")
            page = client.get("/events")
            assert page.status_code == 503 and "Store busy" in page.text and "Traceback" not in page.text
        finally:
            writer.stdin.write("\n")
            writer.stdin.flush()
            writer.wait(timeout=10)
        assert client.get("/api/events").status_code == 200


def test_a_short_write_is_waited_for(db_copy):
    with client_for(db_copy, store_wait=5.0) as client:
        writer = hold_write_lock(db_copy, 0.5)
        started = time.monotonic()
        response = client.get("/api/events?limit=1")
        writer.wait(timeout=10)
        assert response.status_code == 200 and time.monotonic() - started >= 0.3


def test_ingest_in_another_process_while_serving(db_copy, tmp_path):
    write_hostile_trail(tmp_path / "more")
    with RunningServer(db_copy) as server:
        def count() -> int:
            with urllib.request.urlopen(f"{server.url}/api/events?limit=1") as r:
                return json.loads(r.read())["count"]["count"]

        before = count()
        ingest = subprocess.run([sys.executable, "-m", "cloudblame", "ingest", str(tmp_path / "more"), "--db",
                                 str(db_copy), "--wait", "0", "--format", "json"], capture_output=True, text=True,
                                timeout=60)
        assert ingest.returncode == 0, ingest.stderr
        assert count() == before + 4
