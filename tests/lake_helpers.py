"""Helpers of the lake tests (tests/integration/test_lake_*.py, issue #15): a store's whole content table by
table, the invariants every published snapshot must satisfy, the data files no Delta commit ever named, and
running an ingest in a subprocess (to kill it, or to run two at once)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import unquote

from cloudblame.store import Store

ROOT = Path(__file__).resolve().parents[1]

# Every table a store's readers answer from (event_rows: the events table alone).
DERIVED_TABLES = ("event_resources", "credentials", "session_keys", "session_actors", "resources", "resource_keys",
                  "inventory", "calls", "activity", "identity_names", "api_minutes", "event_hours", "hot_minutes")
TABLES = ("event_rows",) + DERIVED_TABLES
# What legitimately differs between two stores of the same files: when each file was entered in the ledger.
OBJECTS_SQL = "SELECT DISTINCT * EXCLUDE (ingested_at) FROM objects ORDER BY ALL"


def table_rows(store: Store, *, origin: bool = True, more: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table of ``store``'s snapshot, sorted (event_rows without ``origin`` unless asked:
    which of two identical copies of an event is kept depends on which file came first); ``more``: other
    tables too."""
    out = {}
    for name in TABLES + more:
        exclude = " EXCLUDE (origin)" if name == "event_rows" and not origin else ""
        out[name] = store.conn.execute(f"SELECT *{exclude} FROM {name} ORDER BY ALL").fetchall()
    out["objects"] = store.conn.execute(OBJECTS_SQL).fetchall()
    out["snapshot.events"] = [(store.snapshot.events,)]
    return out


def content(db: Path, *, origin: bool = True, more: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    with Store.open(db, read_only=True) as store:
        return table_rows(store, origin=origin, more=more)


def differences(expected: dict[str, list[tuple]], got: dict[str, list[tuple]], *, show: int = 3) -> list[str]:
    """A readable account of the tables whose rows differ (empty when the stores are equal)."""
    found = []
    for name in expected:
        a, b = expected[name], got.get(name)
        if a == b:
            continue
        b = b or []
        sa, sb = set(map(repr, a)), set(map(repr, b))
        lines = [f"{name}: {len(a)} rows expected, {len(b)} found"]
        lines += [f"    missing: {r[:400]}" for r in sorted(sa - sb)[:show]]
        lines += [f"    extra:   {r[:400]}" for r in sorted(sb - sa)[:show]]
        if sa == sb:
            lines.append("    (the same distinct rows, repeated a different number of times)")
        found.append("\n".join(lines))
    return found


def assert_same_content(expected: dict, got: dict, what: str) -> None:
    diff = differences(expected, got)
    assert not diff, f"{what}: the store differs from the reference in {len(diff)} table(s):\n" + "\n".join(diff)


# --- invariants of a published snapshot

INVARIANTS = {
    "event_rows has one row per event_id": "SELECT count(*) - count(DISTINCT event_id) FROM event_rows",
    "every event_resources row's event is in event_rows":
        "SELECT count(*) FROM event_resources r ANTI JOIN event_rows e ON e.event_id = r.event_id",
    "event_resources holds exactly the events' nested resources":
        "SELECT (SELECT count(*) FROM event_resources) - (SELECT coalesce(sum(len(resources)), 0) FROM event_rows)",
    "every credentials row's event is in event_rows":
        "SELECT count(*) FROM credentials c ANTI JOIN event_rows e ON e.event_id = c.event_id",
    "credentials holds exactly the events' credentials":
        "SELECT (SELECT count(*) FROM credentials) - (SELECT count(*) FROM event_rows WHERE credential IS NOT NULL)",
    "sum(calls.events) = count(event_rows)":
        "SELECT (SELECT coalesce(sum(events), 0) FROM calls) - (SELECT count(*) FROM event_rows)",
    "sum(activity.events) = count(event_rows)":
        "SELECT (SELECT coalesce(sum(events), 0) FROM activity) - (SELECT count(*) FROM event_rows)",
    "sum(resources.events) = the event_resources rows of typed resources":
        "SELECT (SELECT coalesce(sum(events), 0) FROM resources) - (SELECT count(*) FROM event_resources "
        "WHERE resource_type IS NOT NULL AND resource_type <> '')",
    "every session_actors row is a session of session_keys":
        "SELECT count(*) FROM session_actors a ANTI JOIN session_keys k USING (access_key_id, principal)",
    "every inventory row is an alive resource":
        "SELECT count(*) FROM inventory i ANTI JOIN (SELECT * FROM resources WHERE alive) r "
        "USING (resource_type, resource_id, account_id)",
}


def broken_invariants(store: Store) -> dict[str, int]:
    """The invariants ``store``'s snapshot breaks (name -> how far off); empty when it is consistent."""
    broken = {}
    events = store.conn.execute("SELECT count(*) FROM event_rows").fetchall()[0][0]
    expected = store.snapshot.events if store.snapshot else 0
    if events != expected:
        broken[f"count(event_rows) = snapshot {store.snapshot and store.snapshot.snapshot}'s events ({expected})"] = \
            events - expected
    for name, sql in INVARIANTS.items():
        off = store.conn.execute(sql).fetchall()[0][0]
        if off:
            broken[name] = off
    return broken


def snapshot_rows(db: Path) -> list[dict]:
    """Every row of the snapshots table (every state ever published)."""
    import deltalake

    rows = deltalake.DeltaTable(str(Path(db) / "snapshots")).to_pyarrow_table().to_pylist()
    return sorted(rows, key=lambda r: r["snapshot"])


# --- leftover data files


def committed_paths(table_folder: Path) -> set[str]:
    """Every data file any commit of the Delta table ever added (still referenced or removed by a later commit,
    not vacuumed): what is not among them was written and never committed."""
    import deltalake

    folder = str(table_folder)
    paths = {uri[len(folder) + 1:] if uri.startswith(folder + "/") else uri
             for uri in deltalake.DeltaTable(folder).file_uris()}  # (in case old commit files were cleaned up)
    for log in sorted((table_folder / "_delta_log").glob("*.json")):
        for line in log.read_text().splitlines():
            if line.strip():
                action = json.loads(line)
                if "add" in action:
                    paths.add(unquote(action["add"]["path"]))
    return paths


def leftover_files(db: Path) -> dict[str, list[str]]:
    """Per table, the data files under its folder that no commit names (written by a writer that died)."""
    found = {}
    for folder in sorted(p for p in Path(db).iterdir() if (p / "_delta_log").is_dir()):
        committed = committed_paths(folder)
        stray = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.parquet")
                       if "_delta_log" not in p.parts and str(p.relative_to(folder)) not in committed)
        if stray:
            found[folder.name] = stray
    return found


# --- ingests in subprocesses


def subprocess_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLOUDBLAME_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def python_script(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def start(args: list[str], *, env: dict | None = None, cwd: Path | None = None) -> subprocess.Popen:
    """A subprocess in a session (and process group) of its own: killing the group kills its workers too."""
    return subprocess.Popen(args, env=env or subprocess_env(), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_group_gone(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Wait until no process of ``proc``'s group is left (its workers included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
        proc.poll()
    raise AssertionError(f"processes of group {proc.pid} still running after {timeout}s")


def cli_ingest(paths: list[Path], db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cloudblame", "ingest", *map(str, paths), "--db", str(db), "--format", "json",
            *extra]


# --- the same files ingested in batches (issue #15: derived facts from new data only)


def split_batches(files: list[str], plan: str, seed: int) -> list[list[str]]:
    """The batches of a plan: ``in-order-N`` (N consecutive slices), ``reversed-N``, ``random-N`` (a seeded
    shuffle cut in N), ``interleaved-N`` (a seeded shuffle dealt round-robin), ``one-at-a-time`` (a seeded
    order, one file per batch), ``one-at-a-time-reversed``."""
    import random

    if plan.startswith("one-at-a-time"):
        order = files[::-1] if plan.endswith("reversed") else random.Random(seed).sample(files, len(files))
        return [[f] for f in order]
    kind, _, n_text = plan.rpartition("-")
    n = int(n_text)
    if kind == "in-order":
        order = list(files)
    elif kind == "reversed":
        order = files[::-1]
    else:
        order = random.Random(seed).sample(files, len(files))
    if kind == "interleaved":
        return [order[i::n] for i in range(n)]
    return [order[len(order) * i // n: len(order) * (i + 1) // n] for i in range(n)]


def build_in_batches(db: Path, batches: list[list[str]]) -> None:
    """One ingest (and publish) per batch, each published snapshot checked for consistency."""
    from cloudblame.pipeline.ingest import ingest_paths
    from cloudblame.store.lake import Lake

    lake = Lake.open(db, create=True)
    for number, batch in enumerate(batches):
        if batch:
            ingest_paths(lake, batch)
        with Store.open(db, read_only=True) as store:
            broken = broken_invariants(store)
        assert not broken, f"the snapshot published after batch {number} is inconsistent: {broken}"


def origins_are_copies(db: Path, files: list[str]) -> None:
    """Every stored event's origin is a file that holds that event (the copy kept is a real one)."""
    from tests.datasets import read_records

    holders: dict[str, set[str]] = {}
    for path in files:
        for rec in read_records(Path(path)):
            if isinstance(rec, dict) and "eventID" in rec:
                holders.setdefault(rec["eventID"], set()).add(path)
    with Store.open(db, read_only=True) as store:
        rows = store.conn.execute("SELECT event_id, origin FROM event_rows").fetchall()
    wrong = [(e, o) for e, o in rows if e in holders and o not in holders[e]]
    assert not wrong, f"events whose origin does not hold them: {wrong[:5]}"


class References:
    """Stores built from a set of files in one ingest, and compared with the same files in batches."""

    def __init__(self, tmp_path_factory):
        self.factory = tmp_path_factory
        self.built: dict[tuple, dict] = {}

    def of(self, key: tuple, files: list[str], *, origin: bool) -> dict:
        if key not in self.built:
            db = self.factory.mktemp("reference") / "store"
            build_in_batches(db, [list(files)])
            self.built[key] = content(db, origin=origin)
            assert self.built[key]["event_rows"], f"{key}: the reference store holds no event"
        return self.built[key]

    def check(self, db: Path, key: tuple, files: list[str], plan: str, seed: int, *, origin: bool = True) -> None:
        """``files`` ingested in the batches of ``plan`` at ``db`` end equal to one ingest of them."""
        expected = self.of(key, files, origin=origin)
        batches = split_batches(list(files), plan, seed)
        assert sorted(f for b in batches for f in b) == sorted(files) and len(batches) > 1
        build_in_batches(db, batches)
        assert_same_content(expected, content(db, origin=origin), f"{key} ingested {plan} (seed {seed})")
        published = [r["events"] for r in snapshot_rows(db)]
        assert published == sorted(published), f"published totals went down: {published}"
        if not origin:
            origins_are_copies(db, list(files))
