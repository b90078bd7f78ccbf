"""Issue #15, the lake read back outside cloudblame: with deltalake and pyarrow only (a plain Python subprocess
that never imports cloudblame), every table of a store opens, events carries its partition column event_date,
the counts (at the newest versions, and at the versions the latest snapshot names) are the ones cloudblame's
Store reports, and each record's raw text is byte for byte its text in the source file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from cloudblame.store.tables import TABLES
from tests.conftest import dataset
from tests.lake_helpers import python_script

# Plain Python: deltalake, pyarrow and the standard library. argv: the store, then the trail files' folders.
READ_BACK = r"""
    import gzip, json, sys
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.compute as pc
    from deltalake import DeltaTable

    db = Path(sys.argv[1])
    out = {"tables": {}, "at_snapshot": {}, "files": {}}
    for folder in sorted(p for p in db.iterdir() if (p / "_delta_log").is_dir()):
        delta = DeltaTable(str(folder))
        table = delta.to_pyarrow_table()
        out["tables"][folder.name] = {"rows": table.num_rows, "columns": table.schema.names,
                                      "partition_columns": list(delta.metadata().partition_columns)}

    snapshots = DeltaTable(str(db / "snapshots")).to_pyarrow_table().to_pylist()
    newest = max(snapshots, key=lambda r: r["snapshot"])
    versions = json.loads(newest["versions"])
    out["snapshot"] = {"snapshot": newest["snapshot"], "events": newest["events"]}
    for name, version in versions.items():
        out["at_snapshot"][name] = DeltaTable(str(db / name), version=version).to_pyarrow_table().num_rows

    events = DeltaTable(str(db / "events"), version=versions["events"]).to_pyarrow_table(
        columns=["event_id", "event_time", "event_date", "origin", "raw"])
    out["event_date_type"] = str(events.schema.field("event_date").type)
    out["event_date_is_the_day"] = pc.all(pc.equal(pc.cast(events["event_time"], pa.date32()),
                                                   events["event_date"])).as_py()

    # each file's raw records: where each is in the file's text, and what lies between them
    raws = {}
    for row in events.select(["origin", "raw"]).to_pylist():
        raws.setdefault(row["origin"], []).append(row["raw"].encode())
    for folder in sys.argv[2:]:
        for path in sorted(Path(folder).rglob("*.json*")):
            data = path.read_bytes()
            text = gzip.decompress(data) if path.name.endswith(".gz") else data
            doc = json.loads(text)
            records = doc["Records"] if isinstance(doc, dict) and "Records" in doc else doc
            records = records if isinstance(records, list) else [records]
            found = sorted((text.find(raw), raw) for raw in raws.get(str(path), []))
            between = [text[a + len(ra):b] for (a, ra), (b, _) in zip(found, found[1:])]
            out["files"][str(path)] = {
                "records": len(records),
                "stored": len(found),
                "not_in_file": sum(1 for at, _ in found if at < 0),
                "same_json": [json.loads(raw) for _, raw in found] == records,
                "same_records": sorted(json.dumps(json.loads(raw), sort_keys=True) for _, raw in found)
                == sorted(json.dumps(r, sort_keys=True) for r in records),
                "between": sorted({b.decode(errors="replace")[:80] for b in between}),
                "head": text[:found[0][0]].decode(errors="replace")[:80] if found else None,
                "tail": text[found[-1][0] + len(found[-1][1]):].decode(errors="replace")[:80] if found else None,
            }
    out["imported_cloudblame"] = any(m == "cloudblame" or m.startswith("cloudblame.") for m in sys.modules)
    print(json.dumps(out))
"""


def _read_back(db: Path, *folders: Path, cwd: Path) -> dict:
    # isolated (-I): no PYTHONPATH, no current directory on sys.path; cloudblame is not imported by the script
    args = python_script(READ_BACK)
    args.insert(1, "-I")
    done = subprocess.run(args + [str(db), *map(str, folders)], capture_output=True, text=True, cwd=cwd,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _store_counts(db: Path) -> tuple[dict, int]:
    with Store.open(db, read_only=True) as store:
        counts = {name: store.scalar(f"SELECT count(*) FROM {'event_rows' if name == 'events' else name}")
                  for name in TABLES if name != "snapshots"}
        return counts, store.snapshot.events


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("external")
    trail = root / "trail"
    generate_sample_trail(trail, records=3000, seed=71)
    ingest_paths(Lake.open(root / "store", create=True), [str(trail)])
    return root / "store", trail, _read_back(root / "store", trail, cwd=root)


def test_every_table_opens_with_deltalake_alone_and_counts_match_the_store(demo):
    db, _, out = demo
    assert out["imported_cloudblame"] is False
    assert set(out["tables"]) == set(TABLES)
    counts, events = _store_counts(db)
    assert counts["events"] == events == out["snapshot"]["events"] > 2900
    for name, count in counts.items():
        assert out["at_snapshot"][name] == count, f"{name}: {out['at_snapshot'][name]} rows at the snapshot's version"
        assert out["tables"][name]["rows"] == count, f"{name}: {out['tables'][name]['rows']} rows at its newest version"
    assert out["tables"]["snapshots"]["rows"] == out["snapshot"]["snapshot"] + 1
    for name, table in TABLES.items():  # the columns each table declares, and its partition columns
        assert set(out["tables"][name]["columns"]) == set(table.delta_schema.names), name
        assert out["tables"][name]["partition_columns"] == list(table.partition_by), name


def test_events_are_partitioned_by_event_date(demo):
    _, _, out = demo
    assert out["tables"]["events"]["partition_columns"] == ["event_date"]
    assert "event_date" in out["tables"]["events"]["columns"]
    assert out["event_date_type"] == "date32[day]"
    assert out["event_date_is_the_day"] is True


def test_raw_records_are_the_trail_files_text_byte_for_byte(demo):
    """For each trail file the demo wrote: every record is stored (the raw texts are at distinct places in the
    decompressed file, parse to the file's records in order), separated by commas only, and the rest of the
    file is the {"Records":[...]} envelope: the raw column holds each record's original text exactly."""
    _, _, out = demo
    assert len(out["files"]) > 100
    wrong = {}
    for path, f in out["files"].items():
        if (f["stored"], f["not_in_file"], f["same_json"]) != (f["records"], 0, True) or f["between"] not in ([], [","]) \
                or (f["head"], f["tail"]) != ('{"Records":[', "]}"):
            wrong[path] = f
    assert not wrong, f"{len(wrong)} files whose records are not stored as their text: {_short(wrong)}"


def _short(wrong: dict) -> list:
    keep = ("records", "stored", "not_in_file", "same_json", "same_records")
    return [(Path(p).name, {k: f[k] for k in keep}) for p, f in list(wrong.items())[:3]]


def test_raw_records_of_real_trail_files_are_their_text(tmp_path):
    """Real trail files ({"Records": [...]} as AWS delivered them, invictus-aws): each record's raw text is
    found as is in its file, in the file's order, and parses to the file's record."""
    folder = dataset("invictus-aws")
    ingest_paths(Lake.open(tmp_path / "store", create=True), [str(folder)])
    out = _read_back(tmp_path / "store", folder, cwd=tmp_path)
    assert out["imported_cloudblame"] is False
    assert len(out["files"]) == 55
    wrong = {p: f for p, f in out["files"].items()
             if (f["stored"], f["not_in_file"], f["same_json"]) != (f["records"], 0, True)}
    assert not wrong, f"records not stored as their text: {_short(wrong)}"


def test_records_of_other_shapes_read_back_as_the_same_json(tmp_path):
    """Bare JSON arrays (stratus-red-team, pretty-printed): the raw column holds each record (re-serialized:
    only trail documents keep their text), and read back outside cloudblame it is the file's record."""
    folder = dataset("stratus-red-team")
    ingest_paths(Lake.open(tmp_path / "store", create=True), [str(folder)])
    out = _read_back(tmp_path / "store", folder, cwd=tmp_path)
    assert out["imported_cloudblame"] is False
    assert len(out["files"]) == 35
    wrong = {p: f for p, f in out["files"].items() if (f["stored"], f["same_records"]) != (f["records"], True)}
    assert not wrong, f"records not stored: {_short(wrong)}"
