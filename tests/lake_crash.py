"""The machinery of the crash tests (tests/integration/test_lake_crash*.py, issue #15): an ingest run in a
subprocess and killed (SIGKILL, its whole process group) at a chosen point, the input it reads, the reference
store it must end equal to, and the checks (a) consistent after the kill, (b) equal to the reference after a
re-run, (c) no data file left that no commit names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cloudblame.store import Store
from cloudblame.store.lake import Lake
from tests.lake_helpers import (
    DERIVED_TABLES,
    assert_same_content,
    broken_invariants,
    cli_ingest,
    content,
    kill_group,
    leftover_files,
    origins_are_copies,
    python_script,
    start,
    wait_group_gone,
)

# The ingest, with the step args["where"] names wrapped to kill the whole process group (os.killpg(0)).
KILLED_INGEST = r"""
    import json, os, re, signal, sys, threading, time
    from pathlib import Path

    import cloudblame.derive.dedup as dedup
    import cloudblame.derive.publish as publish
    import cloudblame.pipeline.ingest as ingest
    import cloudblame.pipeline.workers as workers
    from cloudblame.store.lake import Lake

    args = json.loads(sys.argv[1])
    where, db = args["where"], Path(args["db"])
    if args.get("flush_rows"):
        workers.FLUSH_ROWS = args["flush_rows"]  # the in-process writer commits every so many events


    def die():
        sys.stdout.flush()
        os.killpg(0, signal.SIGKILL)


    def before(module, name, nth=1):
        # kill at the nth call of module.name, before it runs
        real, calls = getattr(module, name), []

        def wrapper(*a, **k):
            calls.append(1)
            if len(calls) == nth:
                die()
            return real(*a, **k)

        setattr(module, name, wrapper)


    def after(module, name):
        # kill once module.name has run (and committed what it commits)
        real = getattr(module, name)

        def wrapper(*a, **k):
            real(*a, **k)
            die()

        setattr(module, name, wrapper)


    def watch(folders, pattern, known, *, deep=False):
        # kill as soon as a data file matching pattern, not among known, appears in folders (deep: or below):
        # a busy loop on a thread of its own, which runs while delta-rs (Rust, the GIL released) writes
        def run():
            while True:
                for folder in folders:
                    paths = folder.rglob("*.parquet") if deep else (e.path for e in os.scandir(folder))
                    for path in paths:
                        name = os.path.basename(path)
                        if name.endswith(".parquet") and re.match(pattern, name) and str(path) not in known:
                            die()

        threading.Thread(target=run, daemon=True).start()


    if where == "worker-writes-its-files":
        watch([db / "events"], r"part-.*-w\d+-", set(), deep=True)  # (partitioned: event_date=...)
    elif where == "before-the-first-events-commit":
        before(ingest, "commit")
    elif where == "between-an-events-commit-and-its-ledger-entry":
        before(ingest, "enter", nth=3)
    elif where == "before-the-publish":
        before(ingest, "publish")
    elif where == "before-the-dedupe-commit":
        before(dedup, "commit")
    elif where in ("after-add-links", "after-update-resources", "after-update-activity", "after-resolve-sessions"):
        after(publish, where[len("after-"):].replace("-", "_"))
    elif where == "before-the-snapshot-row":
        real = Lake.publish

        def publish_row(self, versions, **kw):
            if kw.get("reason") != "create":
                die()
            return real(self, versions, **kw)

        Lake.publish = publish_row
    elif where == "inside-a-derived-table-write":  # merge or overwrite of a derived table: its files, no commit yet
        real_derive = publish.derive

        def derive(work, **kw):
            folders = [db / name for name in args["derived"]]
            watch(folders, r"part-", {str(p) for f in folders for p in f.rglob("*.parquet")})
            return real_derive(work, **kw)

        publish.derive = derive
    elif where == "inside-the-snapshot-row-write":  # the snapshots table's own append: its file, no commit yet
        real_row = Lake.publish

        def publish_row(self, versions, **kw):
            if kw.get("reason") != "create":
                folder = db / "snapshots"
                watch([folder], r"part-", {str(p) for p in folder.rglob("*.parquet")})
            return real_row(self, versions, **kw)

        Lake.publish = publish_row
    else:
        raise SystemExit(f"unknown kill point {where}")

    summary = ingest.ingest_paths(Lake.open(db, create=True), args["paths"], jobs=args["jobs"])
    print(json.dumps(summary.as_dict()))
"""


@pytest.fixture(scope="session")
def crash_inputs(tmp_path_factory) -> list[str]:
    from cloudblame.demo.generator import generate_sample_trail

    root = tmp_path_factory.mktemp("crash")
    generate_sample_trail(root / "trail", records=8000, seed=61)  # ingests of seconds (workers: jobs=2)
    copies = root / "copies"
    copies.mkdir()
    for path in sorted((root / "trail").rglob("*.json.gz"))[::80]:  # the same events under other paths
        shutil.copy(path, copies / path.name)
    return [str(root / "trail"), str(copies)]


@pytest.fixture(scope="session")
def crash_reference(crash_inputs, tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("reference") / "store"
    proc = start(cli_ingest(crash_inputs, db))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert json.loads(out)["duplicates"] > 0
    assert leftover_files(db) == {}
    return content(db, origin=False)


def kill_at(db, inputs, where: str, *, jobs: int, flush_rows: int | None = None) -> None:
    args = {"db": str(db), "paths": inputs, "where": where, "jobs": jobs, "flush_rows": flush_rows,
            "derived": list(DERIVED_TABLES)}
    proc = start(python_script(KILLED_INGEST) + [json.dumps(args)])
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        kill_group(proc)
        wait_group_gone(proc)
    assert proc.returncode == -9, f"the ingest was not killed at {where} (exit {proc.returncode}):\n{err[-3000:]}"


def consistent(db) -> dict:
    """(a): the killed store opens and answers from its last snapshot, consistently."""
    with Store.open(db, read_only=True) as store:
        broken = broken_invariants(store)
        assert not broken, f"the store left by the kill is inconsistent: {broken}"
        return {"snapshot": store.snapshot.snapshot, "events": store.snapshot.events}


def rerun_equals_reference(db, inputs, reference) -> None:
    """(b) and (c): a plain re-run of the same ingest ends as the uninterrupted one, with nothing left over."""
    proc = start(cli_ingest(inputs, db))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"the re-run failed (exit {proc.returncode}):\n{err[-3000:]}"
    assert_same_content(reference, content(db, origin=False), "killed, then ingested again")
    origins_are_copies(db, [str(p) for folder in inputs for p in trail_files(folder)])
    assert leftover_files(db) == {}, "data files no commit names are left in the store"


def trail_files(folder: str) -> list[Path]:
    return sorted(Path(folder).rglob("*.json.gz"))


def ahead(db) -> dict[str, tuple[int, int]]:
    """The tables whose newest version is not the one the latest snapshot names (committed, unpublished)."""
    lake = Lake.open(db)
    snap = lake.latest_snapshot()
    return {name: (lake.table(name).version(), version) for name, version in snap.versions.items()
            if lake.table(name).version() != version}
