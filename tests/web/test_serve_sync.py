"""`serve --sync`: the server pulls its sources into its store in a background thread; requests are
answered while the sync writes, and see the new events once it has published them."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.pipeline.sync import SourceSpec, SyncLoop
from cloudblame.store import Store
from cloudblame.web import create_app


def test_requests_are_answered_while_the_server_syncs_its_store(tmp_path):
    generate_sample_trail(tmp_path / "trail", records=6000, seed=5)
    with Store.open(tmp_path / "s-store") as store:
        loop = SyncLoop(store.lake, [SourceSpec("path", url=str(tmp_path / "trail"))], every=3600)
        client = TestClient(create_app(store.path, sync=loop), base_url="http://127.0.0.1")
        assert client.get("/api/sync").json()["runs"] == 0
        statuses: list[int] = []
        syncing = threading.Thread(target=loop.run_once)
        syncing.start()
        while syncing.is_alive():
            statuses.append(client.get("/api/events?limit=5").status_code)
        syncing.join()
        assert statuses and set(statuses) == {200}
        status = client.get("/api/sync").json()
        assert status["runs"] == 1 and status["last"]["sources"][0]["new"] > 5000
        events = client.get("/api/events?limit=5").json()["events"]
        assert len(events) == 5


def test_the_sync_status_is_404_when_the_server_does_not_sync(tmp_path):
    Store.open(tmp_path / "s-store").close()
    client = TestClient(create_app(tmp_path / "s-store"), base_url="http://127.0.0.1")
    response = client.get("/api/sync")
    assert response.status_code == 404


def test_serve_sync_without_a_readable_config_fails_clearly(tmp_path):
    from typer.testing import CliRunner

    from cloudblame.cli import app

    Store.open(tmp_path / "s-store").close()
    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "s-store"), "--sync",
                                      "--config", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2
    assert "missing.toml" in result.output
