"""The web's errors by kind: a user's error is a 4xx with the reason, a fault a 500 with the details in
the server's log only, a store that cannot be read a 503 that names no path on the server."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.web.conftest import client_for


@pytest.fixture(scope="module")
def prefixes(demo_client):
    """(a unique 4-character event id prefix and its id, an ambiguous one and its ids) of the demo store."""
    ids = [e["event_id"] for e in demo_client.get("/api/events/download?format=json&rows=0").json()]
    counts = Counter(i[:4] for i in ids)
    unique = next(i for i in ids if counts[i[:4]] == 1)
    shared = next(p for p, n in counts.items() if n > 1)
    return (unique[:4], unique), (shared, sorted(i for i in ids if i.startswith(shared)))


def test_a_unique_prefix_of_four_is_the_event(demo_client, prefixes):
    (prefix, event_id), _ = prefixes
    assert demo_client.get(f"/api/events/{prefix}").json()["event_id"] == event_id
    assert demo_client.get(f"/events/{prefix}").status_code == 200


def test_an_ambiguous_prefix_is_300_with_the_candidates(demo_client, prefixes):
    _, (prefix, ids) = prefixes
    api = demo_client.get(f"/api/events/{prefix}")
    assert api.status_code == 300 and "ambiguous" in api.json()["error"]
    assert [c["id"] for c in api.json()["candidates"]] == ids[:10]
    page = demo_client.get(f"/events/{prefix}")
    assert page.status_code == 300 and f'href="/events/{ids[0]}"' in page.text


def test_a_prefix_shorter_than_four_is_400(demo_client, prefixes):
    (prefix, _), _ = prefixes
    api = demo_client.get(f"/api/events/{prefix[:3]}")
    assert api.status_code == 400 and "at least 4 characters" in api.json()["error"]


@pytest.mark.parametrize("path", ["/api/overview", "/"])
def test_a_missing_store_is_503_without_the_server_path(tmp_path, path):
    with client_for(tmp_path / "none-store") as client:
        response = client.get(path)
    assert response.status_code == 503 and response.headers["retry-after"] == "2"
    assert "no store yet" in response.text and str(tmp_path) not in response.text
    assert "none-store" not in response.text


@pytest.mark.parametrize("module,name,path", [("api", "overview", "/api/overview"), ("pages", "overview", "/"),
                                              ("api", "get_event", "/api/events/anything")])
def test_an_internal_value_error_is_500_not_400(demo_client, monkeypatch, caplog, module, name, path):
    """A ValueError deep inside is a fault (the user's bad input is BadInput): 500, details only in the log."""
    import importlib

    def broken(*args, **kwargs):
        raise ValueError("secret detail of a bug")

    monkeypatch.setattr(importlib.import_module(f"cloudblame.web.{module}"), name, broken)
    response = demo_client.get(path)
    assert response.status_code == 500 and "internal error" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert any(r.exc_info and "secret detail" in str(r.exc_info[1]) for r in caplog.records)
