"""The web server while an ingest writes into its store: ``cloudblame serve`` on a copy of a store, its
JSON API asked again and again (urllib, one request at a time) while bench/during.py's BackgroundIngest
ingests into the same copy.

The server starts as a subprocess on a free port; once it answers, each kind of request is sent once
unmeasured (warm-up), then the ingest starts and requests cycle over the kinds (event history's first
page, events of a user, the overview, the people index, forgotten resources, a resource's blame; users
and resources sampled from the store) until the first ingest (the new records) has ended and at least
``Plan.serve_requests`` requests were made. Every answer other than 200 (a refused connection or a
timeout too) is an error; latencies are wall times of whole requests, p50 and p95 nearest-rank.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from bench import queries as Q
from bench.during import BackgroundIngest, fresh_copy
from cloudblame.store.db import Store

READY_TIMEOUT_S = 180.0
REQUEST_TIMEOUT_S = 60.0
SAMPLES = 20  # users and resources the requests cycle over


@dataclass
class EndpointTiming:
    """The requests of one kind."""

    endpoint: str
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    first_error: str = ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = REQUEST_TIMEOUT_S) -> tuple[int, str]:
    """(HTTP status, why it failed) of a GET of ``url``, the body read whole; status 0 when no answer came."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:200].decode(errors="replace")
    except (urllib.error.URLError, OSError) as exc:
        return 0, f"{type(exc).__name__}: {exc}"[:200]


def api_paths(db: Path) -> dict[str, list[str]]:
    """Request kind -> the API paths it cycles over (users and resources sampled from the store)."""
    with Store.open(db, read_only=True) as store:
        users = Q.sample_users(store, SAMPLES)
        resources = Q.sample_resources(store, SAMPLES)
    blames = [f"/api/resources/{quote(r['resource_id'], safe='/@:')}?"
              + urlencode({"type": r["resource_type"], "account": r["account_id"] or ""}) for r in resources]
    paths = {"events, first page": ["/api/events?limit=50"],
             "events of a user": [f"/api/events?{urlencode({'limit': 50, 'username': u})}" for u in users],
             "overview": ["/api/overview"], "people": ["/api/people"], "forgotten": ["/api/forgotten?idle=30d"],
             "resource blame": blames}
    return {kind: found for kind, found in paths.items() if found}


def wait_ready(server: subprocess.Popen, url: str, timeout: float = READY_TIMEOUT_S) -> None:
    """Wait until ``url`` answers 200; RuntimeError when the server exits or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"cloudblame serve exited with {server.returncode} before answering")
        if fetch(url, timeout=10)[0] == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"cloudblame serve did not answer {url} within {timeout:g}s")


def request_loop(base: str, paths: dict[str, list[str]], done) -> list[tuple[str, float, int, str]]:
    """(kind, ms, status, error) of requests cycling over ``paths`` until ``done(requests made)``."""
    kinds = list(paths)
    samples: list[tuple[str, float, int, str]] = []
    while not done(len(samples)):
        kind = kinds[len(samples) % len(kinds)]
        choices = paths[kind]
        path = choices[(len(samples) // len(kinds)) % len(choices)]
        started = time.perf_counter()
        status, error = fetch(base + path)
        elapsed = (time.perf_counter() - started) * 1000
        samples.append((kind, elapsed, status, f"{status} {path}: {error}"[:240] if status != 200 else ""))
    return samples


def summarize(samples: list[tuple[str, float, int, str]]) -> list[EndpointTiming]:
    """One timing per request kind, then ``all`` over every request."""
    kinds = list(dict.fromkeys(kind for kind, *_ in samples))
    out = []
    for kind in kinds + ["all"]:
        mine = [s for s in samples if kind in ("all", s[0])]
        times = [ms for _, ms, _, _ in mine]
        errors = [error for _, _, status, error in mine if status != 200]
        out.append(EndpointTiming(kind, len(mine), len(errors), Q.percentile(times, 50), Q.percentile(times, 95),
                                  max(times, default=None), errors[0] if errors else ""))
    return out


def serve_during_ingest(command: list[str], store: Path, trail: Path, work: Path, plan: Q.Plan) -> dict:
    """The API's answers while ``trail`` is ingested into the store ``serve`` reads (a copy of ``store``,
    removed afterwards). ``status`` is ok, or failed with the reason when the server never answered."""
    copy = fresh_copy(store, work / f"{store.name}-serve-during-ingest")
    server_log = work / "serve-during-ingest.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(server_log, "wb") as sink:
        server = subprocess.Popen(command + ["serve", "--db", str(copy), "--port", str(port)], stdout=sink,
                                  stderr=subprocess.STDOUT)
        try:
            wait_ready(server, base + "/api/overview")
            return _measure(command, base, copy, trail, plan)
        except RuntimeError as exc:
            tail = server_log.read_text(errors="replace").strip().splitlines()[-3:]
            return {"status": "failed", "reason": f"{exc}; server log: {' | '.join(tail)}"[:600]}
        finally:
            _stop(server)
            shutil.rmtree(copy, ignore_errors=True)


def _measure(command: list[str], base: str, copy: Path, trail: Path, plan: Q.Plan) -> dict:
    paths = api_paths(copy)
    for choices in paths.values():  # warm-up, unmeasured
        fetch(base + choices[0])
    with BackgroundIngest(command, trail, copy) as background:
        started = time.perf_counter()
        samples = request_loop(base, paths, lambda made: background.first_done and made >= plan.serve_requests)
        ended = time.perf_counter()
    return {"status": "ok", "endpoints": [asdict(t) for t in summarize(samples)],
            **background.report(started, ended)}


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
