"""Scheduled use: docker/cloudblame-scheduled.sh (`sync && notify --all --digest`) run here on this
checkout's cloudblame, and the image of the Dockerfile built and run where Docker can build it (skipped,
saying why, where it cannot: no docker, no daemon, no network to pull the base image or the packages).

The image is built once per run under one tag, so Docker's layer cache makes a rebuild after a code change
take seconds (the dependencies' layer depends on pyproject.toml alone); every check of it is in one test
so that parallel workers never build it twice. It is marked slow (`-m "not slow"` leaves it out): the
first build downloads the base image and the dependencies."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEDULED = ROOT / "docker" / "cloudblame-scheduled.sh"
TRAIL = ROOT / "tests" / "fixtures" / "formats" / "trail.json"  # 5 records: a VPC, a bucket, a role
IMAGE = "cloudblame:test"
BUILD_TIMEOUT = 900
# What a build or a pull that failed for want of a network says (anything else fails the test).
NETWORK_TROUBLE = re.compile(
    r"could not resolve|temporary failure in name resolution|no such host|name or service not known|"
    r"network is unreachable|connection refused|connection reset|timed out|tls handshake timeout|"
    r"failed to resolve source metadata|failed to do request|max retries exceeded|newconnectionerror|"
    r"no matching distribution found|could not find a version that satisfies|error pulling image|"
    r"toomanyrequests|pull access denied|i/o timeout",
    re.IGNORECASE,
)


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This checkout's `cloudblame` first on PATH, no AWS credentials, the store and HOME in ``tmp_path``
    (the bundled price table, as in the image, not one `prices refresh` left in ~/.cache)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLOUDBLAME_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               HOME=str(tmp_path), CLOUDBLAME_DB=str(tmp_path / "store"), **extra)
    return env


def _scheduled(tmp_path: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = _environment(tmp_path, CLOUDBLAME_CONFIG=str(config))
    return subprocess.run(["sh", str(SCHEDULED), *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)


def _config(folder: Path, trail: Path | str, *, to: str = "json://127.0.0.1:9/unused") -> Path:
    """A config of one ``[[path]]`` source, notifying through ``to``."""
    config = folder / "cloudblame.toml"
    config.write_text(f"[[path]]\npath = {json.dumps(str(trail))}\n\n[notify]\nto = [{json.dumps(to)}]\n")
    return config


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[bytes]]]:
    """A JSON webhook on loopback: its Apprise URL and the bodies POSTed to it."""
    received: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_scheduled_run_syncs_then_sends_the_digest_once_a_period(tmp_path: Path, webhook: tuple[str, list[bytes]]) -> None:
    url, received = webhook
    config = _config(tmp_path, TRAIL, to=url)
    first = _scheduled(tmp_path, config)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("sync: 1 sources, 1 files/objects, 5 records, 5 new, 0 problems")
    assert len(received) == 1, "one digest"
    digest = json.loads(received[0])
    assert "bert-jan" in digest["message"] and "vpc-06fe1a64761a0f720" in digest["message"]
    again = _scheduled(tmp_path, config)  # the next run of the same period: nothing new, nothing sent again
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith("sync: 1 sources, 1 files/objects, 0 records, 0 new, 0 problems")
    assert len(received) == 1 and "already sent" in again.stdout


def test_scheduled_run_passes_its_arguments_to_notify(tmp_path: Path, webhook: tuple[str, list[bytes]]) -> None:
    url, received = webhook
    done = _scheduled(tmp_path, _config(tmp_path, TRAIL, to=url), "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--- to (digest) through json://127.0.0.1" in done.stdout and "# Resources of bert-jan" in done.stdout
    assert received == [], "a dry run sends nothing"


def test_scheduled_run_stops_before_notify_when_sync_finds_problems(tmp_path: Path) -> None:
    broken = tmp_path / "trail" / "broken.json.gz"
    broken.parent.mkdir()
    broken.write_bytes(gzip.compress(TRAIL.read_bytes())[:-20])  # a truncated gzip: a sync problem
    done = _scheduled(tmp_path, _config(tmp_path, broken.parent))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sync: ") and " 0 problems" not in lines[0], done.stdout  # no notify


def test_scheduled_run_with_a_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "cloudblame.toml"
    config.write_text("[[nonsense]]\n")
    done = _scheduled(tmp_path, config)
    assert done.returncode == 2
    assert "unknown sections" in done.stderr and done.stdout == ""


# --- the image -----------------------------------------------------------------------------------------------

def _docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, f"docker {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


def _skip_unless_docker_runs() -> None:
    if shutil.which("docker") is None:
        pytest.skip("docker is not installed: the image is not built here")
    info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                          timeout=60)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        pytest.skip(f"no Docker daemon to build the image with: {reason}")


def _pip_build_args() -> list[str]:
    """pip's index of this machine (environment or pip config) and its proxies, when the build can reach
    them: http(s) URLs only (a file:// index is not inside the image)."""
    found: dict[str, list[str]] = {"PIP_INDEX_URL": [], "PIP_EXTRA_INDEX_URL": [], "PIP_TRUSTED_HOST": []}
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True)
    for line in listed.stdout.splitlines():
        key, _, value = line.partition("=")
        name = "PIP_" + key.split(".", 1)[-1].replace("-", "_").upper()
        if name in found:
            found[name] += value.strip("'\"").split()
    for name in found:
        found[name] += os.environ.get(name, "").split()
    args = []
    for name, values in found.items():
        usable = [v for v in dict.fromkeys(values) if name == "PIP_TRUSTED_HOST" or v.startswith(("http://", "https://"))]
        if usable:
            args += ["--build-arg", f"{name}={' '.join(usable[-1:] if name == 'PIP_INDEX_URL' else usable)}"]
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        if os.environ.get(proxy):
            args += ["--build-arg", f"{proxy}={os.environ[proxy]}"]
    return args


def _skip_on_network_trouble(done: subprocess.CompletedProcess[str], what: str) -> None:
    output = done.stdout + done.stderr
    if done.returncode != 0 and NETWORK_TROUBLE.search(output):
        line = next((ln for ln in reversed(output.splitlines()) if NETWORK_TROUBLE.search(ln)), "")
        pytest.skip(f"cannot {what} (no network?): {line.strip()[:300]}")


def _build_image() -> str:
    """Build the Dockerfile as IMAGE (removing the image it replaces); skip when the network is missing."""
    _skip_unless_docker_runs()
    declared = re.search(r"^ARG PYTHON_IMAGE=(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert declared, "the Dockerfile declares its base image as ARG PYTHON_IMAGE"
    base = declared.group(1)
    if _docker("image", "inspect", base, check=False).returncode != 0:
        _skip_on_network_trouble(_docker("pull", base, timeout=BUILD_TIMEOUT, check=False), f"pull {base}")
    before = _docker("image", "inspect", "--format", "{{.Id}}", IMAGE, check=False).stdout.strip()
    done = _docker("build", "--tag", IMAGE, *_pip_build_args(), str(ROOT), timeout=BUILD_TIMEOUT, check=False)
    _skip_on_network_trouble(done, "build the image")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    after = _docker("image", "inspect", "--format", "{{.Id}}", IMAGE).stdout.strip()
    if before and before != after:
        _docker("image", "rm", before, check=False)  # the previous build's image, now untagged
    return IMAGE


def _host_inventory(tmp_path: Path) -> object:
    """The inventory this checkout's cloudblame answers on TRAIL."""
    env = _environment(tmp_path)
    subprocess.run(["cloudblame", "ingest", str(TRAIL)], env=env, capture_output=True, check=True, timeout=300)
    done = subprocess.run(["cloudblame", "inventory", "--format", "json"], env=env, capture_output=True, text=True,
                          check=True, timeout=300)
    return json.loads(done.stdout)


@pytest.mark.slow
def test_image_builds_and_answers_from_its_volume(tmp_path: Path) -> None:
    image = _build_image()
    run = ("run", "--rm", "--network", "none")
    helped = _docker(*run, image)
    assert helped.stdout.startswith("Usage: cloudblame") and "sync" in helped.stdout
    assert _docker(*run, image, "--version").stdout.strip() == f"cloudblame {version('cloudblame')}"
    assert _docker(*run, "--entrypoint", "id", image, "-u").stdout.strip() == "10001"  # not root

    volume = f"cloudblame-test-{uuid.uuid4().hex[:12]}"
    trail = ("-v", f"{TRAIL}:/trail/trail.json:ro")
    try:
        ingested = _docker(*run, "-v", f"{volume}:/data", *trail, image, "ingest", "/trail")
        assert "5 new" in ingested.stdout
        answered = _docker(*run, "-v", f"{volume}:/data", image, "inventory", "--format", "json")
        inventory = json.loads(answered.stdout)
        assert inventory == _host_inventory(tmp_path)
        assert {(r["id"], r["owner"]) for r in inventory["resources"]} >= {
            ("vpc-06fe1a64761a0f720", "bert-jan"), ("stratus-red-team-ctlr-bucket-zqfsvooxqj", "bert-jan")}
        stored = _docker(*run, "-v", f"{volume}:/data", "--entrypoint", "ls", image, "/data/cloudblame-store")
        assert stored.stdout.split(), "the store is written in the volume"
        config = _config(tmp_path, "/trail")
        scheduled = _docker(*run, "-v", f"{volume}:/data", *trail, "-v", f"{config}:/config/cloudblame.toml:ro",
                            "--entrypoint", "cloudblame-scheduled", image, "--dry-run")
        assert scheduled.stdout.startswith("sync: 1 sources, 1 files/objects, 0 records, 0 new, 0 problems")
        assert "--- to (digest) through json://127.0.0.1" in scheduled.stdout
        assert "# Resources of bert-jan" in scheduled.stdout and "1 would send" in scheduled.stdout
    finally:
        _docker("volume", "rm", "--force", volume, check=False)
