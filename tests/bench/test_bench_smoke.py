"""The benchmark harness's smoke run: bench/run.py --quick end to end on a few thousand records (no
trailscraper), so the harness cannot rot. Checks every section is there with numbers that parse (the
real-shaped corpus's rows when ../shared/datasets is present, the reason it was skipped otherwise), every
target of the issue has its row, and the profile findings block of an existing report survives the
rewrite."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
SECTIONS = ("Machine", "Corpora", "Ingest", "Floor", "Queries", "Queries during ingest", "Serve during ingest",
            "Ingests beside the readers", "Incremental ingest", "Side by side: trailscraper", "Spark local mode", "Targets",
            "Profile findings")
QUERIES = ("blame", "events by user", "events by resource name", "events by time range", "inventory", "forgotten",
           "home page (overview)", "people", "insights")
ENDPOINTS = ("events, first page", "events of a user", "overview", "people", "forgotten", "resource blame", "all")
# target -> whether the quick run measures it (trailscraper is skipped)
TARGETS = {"ingest records/s": True, "ingest / parse floor": True, "small-file trails: ingest / parse floor": True,
           "trailscraper wall time / ours": False, "trailscraper peak RSS / ours": False, "peak RSS": True,
           "store / gzip input, every raw record kept": True,
           "1% into the largest store / into an empty store": True, "serve during ingest: errors": True,
           "serve during ingest: p95": True, "ingests beside readers and the server: failures": True,
           **{f"{q} p95, {when}": True for q in QUERIES for when in ("idle", "during ingest")}}


def _cells(line: str) -> list[str]:
    """The cells of a table line (``\\|`` is a pipe inside a cell)."""
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]


def _tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Section title -> rows of its table (as header -> cell)."""
    out: dict[str, list[dict[str, str]]] = {}
    for section in re.split(r"^## ", markdown, flags=re.MULTILINE)[1:]:
        title, _, body = section.partition("\n")
        lines = [ln for ln in body.splitlines() if ln.startswith("|")]
        if len(lines) < 3:
            continue
        header = _cells(lines[0])
        out[title.strip()] = [dict(zip(header, _cells(ln))) for ln in lines[2:]]
    return out


def _number(cell: str) -> float:
    """The number a cell starts with (``1,234.5``, ``61%``, ``358 MB``, ``0.98x (3.1 s / 3.2 s)``)."""
    found = re.match(r"-?[\d,]+(\.\d+)?", cell)
    assert found, f"no number in {cell!r}"
    return float(found.group(0).replace(",", ""))


def _real_expected() -> bool:
    return DATASETS.is_dir()


def _check_queries(rows: list[dict[str, str]]) -> None:
    queries = {r["query"]: r for r in rows}
    assert set(queries) == set(QUERIES)
    for name in QUERIES:
        assert _number(queries[name]["p50 ms"]) > 0, name
        assert _number(queries[name]["p95 ms"]) >= _number(queries[name]["p50 ms"]), name
        assert queries[name]["errors"] == "0", (name, queries[name]["note"])


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "BENCHMARKS.md"
    out.write_text("# old\n\n<!-- profile:start -->\nkept: 42% in json parsing\n<!-- profile:end -->\n")
    cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out), "--corpus-dir",
           str(tmp / "corpus"), "--work-dir", str(tmp / "work"), "--results", str(tmp / "results.json")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=360, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(), json.loads((tmp / "results.json").read_text())


def test_every_section_with_numbers_that_parse(smoke):
    markdown, _ = smoke
    for title in SECTIONS:
        assert f"\n## {title}\n" in markdown, title
    tables = _tables(markdown)
    corpora = [r["corpus"] for r in tables["Ingest"]]
    assert corpora == (["3k", "5k-real"] if _real_expected() else ["3k"])
    if not _real_expected():
        assert "Real-shaped corpus: skipped" in markdown
    for ingest in tables["Ingest"]:
        for column in ("records", "wall s", "records/s", "MB/s gzip", "peak RSS MB", "store MB", "store / gzip"):
            assert _number(ingest[column]) > 0, (ingest["corpus"], column)
        kept, events = ingest["raw kept / events"].split(" / ")
        assert _number(kept) == _number(events) == _number(ingest["records"]), ingest["corpus"]
    floor = tables["Floor"]
    assert [r["corpus"] for r in floor] == [c for c in corpora for _ in range(3)]
    assert all(_number(r["wall s"]) > 0 for r in floor)
    for row in floor:
        if row["stage"] != "gunzip":  # parse, ingest: a rate and its share of the parse floor
            assert _number(row["records/s"]) > 0 and _number(row["/ parse floor"]) > 0, row["stage"]
    _check_queries(tables["Queries"])
    _check_queries(tables["Queries during ingest"])
    machine = {r["what"]: r["value"] for r in tables["Machine"]}
    assert {"CPU", "Cores", "RAM", "OS", "Python", "DuckDB", "deltalake", "Date"} <= set(machine)
    assert "trailscraper: skipped" in markdown


def test_measurements_beside_an_ingest(smoke):
    markdown, _ = smoke
    tables = _tables(markdown)
    serve = {r["endpoint"]: r for r in tables["Serve during ingest"]}
    assert tuple(serve) == ENDPOINTS
    for name, row in serve.items():
        assert _number(row["requests"]) > 0 and row["errors"] == "0", (name, row["first error"])
        assert _number(row["p95 ms"]) >= _number(row["p50 ms"]) > 0, name
    assert _number(serve["all"]["requests"]) == sum(_number(serve[e]["requests"]) for e in ENDPOINTS[:-1])
    into_big, into_empty = tables["Incremental ingest"]
    # the increment asks the generator for 100 records; the demo story's planted parts make a small one a bit more
    increment = _number(into_empty["new records"])
    assert 100 <= increment <= 130 and _number(into_big["new records"]) == increment
    beside = {r["measurement"]: r for r in tables["Ingests beside the readers"]}
    assert set(beside) == {"queries", "serve"}
    for name, row in beside.items():
        assert row["failed"] == "0" and _number(row["ingest runs"]) >= 1, (name, row["failure"])
        assert _number(row["first run"]) == increment and _number(row["span s"]) > 0, name
        assert 0 < _number(row["ingest running"]) <= 100, name
    assert _number(into_big["wall s"]) > 0 and _number(into_empty["wall s"]) > 0
    assert _number(into_big["store MB before"]) > 0 and _number(into_empty["store MB before"]) == 0


def test_every_target_has_its_row(smoke):
    markdown, _ = smoke
    rows = _tables(markdown)["Targets"]
    by_name: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_name.setdefault(row["target"], []).append(row)
    assert set(TARGETS) <= set(by_name), set(TARGETS) - set(by_name)
    assert len(by_name["ingest records/s"]) == (2 if _real_expected() else 1)
    for name, measured in TARGETS.items():
        for row in by_name[name]:
            verdict = row["result"].split(" ")[0]
            if not measured:
                assert verdict == "n/a" and row["measured"] == "skipped", name
                continue
            assert verdict in ("PASS", "FAIL"), (name, row["result"])
            assert "indicative" in row["result"], name  # 3k is smaller than every target's corpus
            _number(row["measured"])


def test_profile_findings_survive_the_rewrite(smoke):
    markdown, _ = smoke
    block = markdown.split("<!-- profile:start -->", 1)[1].split("<!-- profile:end -->", 1)[0]
    assert block.strip() == "kept: 42% in json parsing"


def test_results_json_matches_the_corpus(smoke):
    _, results = smoke
    measured = results["sizes"] + ([results["real"]] if _real_expected() else [])
    assert len(measured) == len(results["corpora"])
    for size, corpus in zip(measured, results["corpora"]):
        assert size["ingest"]["records"] == corpus["records"] == size["floor"]["parse"]["records"]
        assert size["ingest"]["bad_records"] == 0
        assert size["ingest"]["stored"] == {"events": corpus["records"], "with_raw": corpus["records"]}
    increment = results["incremental"]
    assert increment["new"] == increment["empty"]["new"] == increment["corpus"]["records"]
    during = results["during_ingest"]
    assert during["serve"]["status"] == "ok"
    for part in (during["queries"], during["serve"]):
        first = part["ingest_runs"][0]
        assert not first["force"] and first["new"] == increment["corpus"]["records"]
        assert all(run["force"] for run in part["ingest_runs"][1:])


def test_real_shaped_corpus_is_unique_and_in_the_trail_layout(smoke):
    """Every key in the S3 layout, every eventID unique, files of 25-100 records (fewer only for an account
    and region with a single file)."""
    _, results = smoke
    if not _real_expected():
        assert "skipped" in results["real"]
        return
    corpus = next(c for c in results["corpora"] if c["label"] == "5k-real")
    files = sorted(Path(corpus["root"]).rglob("*.json.gz"))
    assert len(files) == corpus["files"]
    key = re.compile(r"AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/\1_CloudTrail_\2_"
                     r"\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$")
    ids: set[str] = set()
    streams: dict[tuple[str, str], list[int]] = {}
    for path in files:
        found = key.search(path.as_posix())
        assert found, path
        records = json.loads(gzip.decompress(path.read_bytes()))["Records"]
        ids.update(r["eventID"] for r in records)
        streams.setdefault(found.groups(), []).append(len(records))
    assert len(ids) == corpus["records"] == 5000
    for stream, sizes in streams.items():
        assert max(sizes) <= 100 and (len(sizes) == 1 or min(sizes) >= 25), (stream, sizes)


def test_spark_local_mode_beside_the_embedded_ingest(smoke):
    from bench.spark import spark_missing

    markdown, results = smoke
    reason = spark_missing()
    if reason:
        assert f"Skipped: {reason}." in markdown
        return
    rows = _tables(markdown)["Spark local mode"]
    assert [(r["corpus"], r["derived on"]) for r in rows] == [("3k", "spark"), ("3k", "embedded")]
    ingest = _tables(markdown)["Ingest"][0]
    for row, run in zip(rows, results["spark"]["runs"]):
        assert row["status"] == "ok" and row["records"] == ingest["records"], row
        for column in ("wall s", "records/s", "embedded records/s", "spark / embedded", "records/s per core"):
            assert _number(row[column]) > 0, column
        assert run["new"] == results["sizes"][0]["ingest"]["new"]
