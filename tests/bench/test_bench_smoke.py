"""The benchmark harness's smoke run: bench/run.py --quick end to end on a few thousand records (no
trailscraper), so the harness cannot rot. Checks every section is there with numbers that parse, and that
the profile findings block of an existing report survives the rewrite."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("Machine", "Corpora", "Ingest", "Floor", "Queries", "Incremental ingest", "Side by side: trailscraper",
            "Targets", "Profile findings")
QUERIES = ("blame", "events by user", "events by resource name", "events by time range", "inventory", "forgotten",
           "home page (overview)", "people", "insights")


def _tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Section title -> rows of its table (as header -> cell)."""
    out: dict[str, list[dict[str, str]]] = {}
    for section in re.split(r"^## ", markdown, flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        lines = [ln for ln in body.splitlines() if ln.startswith("|")]
        if len(lines) < 3:
            continue
        header = [c.strip() for c in lines[0].strip("|").split("|")]
        out[title.strip()] = [dict(zip(header, (c.strip() for c in ln.strip("|").split("|")))) for ln in lines[2:]]
    return out


def _number(cell: str) -> float:
    return float(cell.replace(",", "").removesuffix("%").removesuffix(" MB").removesuffix(" ms"))


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "BENCHMARKS.md"
    out.write_text("# old\n\n<!-- profile:start -->\nkept: 42% in json parsing\n<!-- profile:end -->\n")
    cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out), "--corpus-dir",
           str(tmp / "corpus"), "--work-dir", str(tmp / "work"), "--results", str(tmp / "results.json")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(), json.loads((tmp / "results.json").read_text())


def test_every_section_with_numbers_that_parse(smoke):
    markdown, _ = smoke
    for title in SECTIONS:
        assert f"\n## {title}\n" in markdown, title
    tables = _tables(markdown)
    (ingest,) = tables["Ingest"]
    for column in ("records", "wall s", "records/s", "MB/s gzip", "peak RSS MB", "store MB", "store / gzip"):
        assert _number(ingest[column]) > 0, column
    floor = tables["Floor"]
    assert len(floor) == 3 and all(_number(r["wall s"]) > 0 for r in floor)
    for row in floor[1:]:  # parse, ingest: a rate and its share of the parse floor
        assert _number(row["records/s"]) > 0 and _number(row["/ parse floor"]) > 0, row["stage"]
    queries = {r["query"]: r for r in tables["Queries"]}
    assert set(queries) == set(QUERIES)
    for name in QUERIES[:-1]:
        assert _number(queries[name]["p50 ms"]) > 0, name
        assert _number(queries[name]["p95 ms"]) >= _number(queries[name]["p50 ms"]), name
        assert queries[name]["errors"] == "0", (name, queries[name]["note"])
    (incremental,) = tables["Incremental ingest"]
    assert _number(incremental["new records"]) > 0 and _number(incremental["wall s"]) > 0
    machine = {r["what"]: r["value"] for r in tables["Machine"]}
    assert {"CPU", "Cores", "RAM", "OS", "Python", "DuckDB", "Date"} <= set(machine)
    assert all(r["result"].split(" ")[0] in ("PASS", "FAIL", "n/a") for r in tables["Targets"])
    assert "trailscraper: skipped" in markdown


def test_profile_findings_survive_the_rewrite(smoke):
    markdown, _ = smoke
    block = markdown.split("<!-- profile:start -->", 1)[1].split("<!-- profile:end -->", 1)[0]
    assert block.strip() == "kept: 42% in json parsing"


def test_results_json_matches_the_corpus(smoke):
    _, results = smoke
    (size,) = results["sizes"]
    (corpus,) = results["corpora"]
    assert size["ingest"]["records"] == corpus["records"] == size["floor"]["parse"]["records"]
    assert size["ingest"]["bad_records"] == 0
    assert results["incremental"]["new"] == results["incremental"]["corpus"]["records"]
