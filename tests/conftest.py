"""Shared test helpers: where the shared datasets are, and stores built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
DATASETS = SHARED / "datasets"
FIXTURES = ROOT / "tests" / "fixtures"

# The crash tests' input and reference store: session fixtures, built once per worker for both crash modules.
pytest_plugins = ["tests.lake_crash"]


def dataset(name: str) -> Path:
    """A folder of ../shared/datasets, or skip the test saying why."""
    path = DATASETS / name
    if not path.is_dir():
        pytest.skip(f"../shared/datasets/{name} is not present (tests on the real CloudTrail logs need it)")
    return path


def build_store(db_path: Path, *paths: Path | str):
    from cloudblame.pipeline.ingest import ingest_paths
    from cloudblame.store import Store

    store = Store.open(db_path)
    summary = ingest_paths(store, [str(p) for p in paths])
    return store, summary


@pytest.fixture(scope="session")
def invictus_store(tmp_path_factory):
    path = dataset("invictus-aws")
    db = tmp_path_factory.mktemp("invictus") / "store-store"
    store, summary = build_store(db, path)
    yield store, summary
    store.close()


@pytest.fixture(scope="session")
def made_demo(tmp_path_factory) -> Path:
    """The folder `make demo` leaves (`cloudblame demo`: ./demo-trail and ./cloudblame-store), made by
    the command itself; the README's and the help's examples answer on it."""
    from typer.testing import CliRunner

    from cloudblame.cli import app

    root = tmp_path_factory.mktemp("made-demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(root / "demo-trail"), "--db", str(root / "cloudblame-store")])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def moto_url():
    """A moto server on loopback (fake credentials: tests pass their own), one per test module."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


FAKE_AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture
def fresh_moto(moto_url, monkeypatch) -> str:
    """The module's moto server with its state reset for this test, and fake credentials in the environment."""
    import requests

    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    requests.post(f"{moto_url}/moto-api/reset", timeout=10).raise_for_status()
    return moto_url
