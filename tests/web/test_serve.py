"""`cloudblame serve` for real: a server process on a free port answers pages and the API; binding
beyond localhost needs a token, which is then required."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app as cli_app
from tests.web.conftest import free_port


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def start_serve(*args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cloudblame", "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stdout.read()}")
        try:
            get(url + "/static/app.css")
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not start")


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_serve_answers_pages_and_api(demo):
    proc, url = start_serve("--db", str(demo[0]))
    try:
        status, headers, body = get(url + "/")
        assert status == 200 and b"Events per day by tool" in body
        assert "default-src 'self'" in headers["content-security-policy"]
        status, _, body = get(url + "/api/events?limit=2")
        assert status == 200 and len(json.loads(body)["events"]) == 2
        status, _, body = get(url + "/api/events/nope")
        assert status == 404 and json.loads(body)["error"]
    finally:
        out = stop(proc)
    assert f"(read-only) at {url}/" in " ".join(out.split())


def test_serve_with_a_token_requires_it(demo):
    proc, url = start_serve("--db", str(demo[0]), "--token", "let-me-in")
    try:
        assert get(url + "/api/overview")[0] == 401
        assert get(url + "/api/overview", {"Authorization": "Bearer let-me-in"})[0] == 200
    finally:
        out = stop(proc)
    assert "token required on every request" in " ".join(out.split()) and "let-me-in" not in out


def test_serve_refuses_to_bind_beyond_localhost_without_a_token(demo, monkeypatch):
    monkeypatch.delenv("CLOUDBLAME_TOKEN", raising=False)
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(demo[0]), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "needs --token" in result.output


def test_serve_says_when_there_is_no_store(tmp_path):
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "none-store")])
    assert result.exit_code == 2 and "no store at" in result.output


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_token(host):
    from cloudblame.core.loopback import is_loopback

    assert is_loopback(host)
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
