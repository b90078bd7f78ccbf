"""Stores and clients for the web tests, built once per session: the project's own sample trail, the
real invictus-aws logs (skipped when ../shared is absent) and a trail of hostile records."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.insight_rows import plant
from tests.web.hostile import hostile_insights, write_hostile_trail

LOOPBACK = "http://127.0.0.1"


def ingest_into(db: Path, trail: Path) -> None:
    from cloudblame.pipeline.ingest import ingest_paths
    from cloudblame.store import Store

    with Store.open(db) as store:
        ingest_paths(store, [str(trail)])


def client_for(db: Path, **kwargs):
    from fastapi.testclient import TestClient

    from cloudblame.web import create_app

    return TestClient(create_app(db, **kwargs), base_url=LOOPBACK)


# The sample trail goes to a fixed folder (the store keeps each event's file path, which the event page
# shows): the screenshots the browser tests take are then the same from run to run.
FIXED_DEMO = Path(tempfile.gettempdir()) / f"cloudblame-web-tests-{os.getuid()}"


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(db path, SampleSummary) of a 2,000-record sample trail ingested into a store."""
    from cloudblame.demo.generator import generate_sample_trail

    db = tmp_path_factory.mktemp("demo") / "demo-store"
    FIXED_DEMO.mkdir(exist_ok=True)
    with open(FIXED_DEMO / ".lock", "w") as lock:  # another test run may be writing the same folder
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(FIXED_DEMO / "trail", ignore_errors=True)
        sample = generate_sample_trail(FIXED_DEMO / "trail", records=2000)
        ingest_into(db, FIXED_DEMO / "trail")
    return db, sample


@pytest.fixture(scope="session")
def demo_client(demo):
    with client_for(demo[0]) as client:
        yield client


@pytest.fixture(scope="session")
def invictus_db(invictus_store):
    """The invictus store (the session fixture's; the server reads it alongside)."""
    store, _ = invictus_store
    return store.path


@pytest.fixture(scope="session")
def invictus_client(invictus_db):
    with client_for(invictus_db) as client:
        yield client


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    write_hostile_trail(root / "trail")
    ingest_into(root / "hostile-store", root / "trail")
    plant(root / "hostile-store", hostile_insights())
    return root / "hostile-store"


@pytest.fixture(scope="session")
def hostile_client(hostile_db):
    with client_for(hostile_db) as client:
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """uvicorn serving the app in a thread, on a free port."""

    def __init__(self, db: Path, **kwargs):
        import uvicorn

        from cloudblame.web import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db, **kwargs), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def demo_server(demo):
    with RunningServer(demo[0]) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_server(hostile_db):
    with RunningServer(hostile_db) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """One chromium per module (the tests asking for it import tests.web.browsing, which skips without it)."""
    from tests.web.browsing import CHROMIUM, sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()
