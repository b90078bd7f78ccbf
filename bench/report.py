"""BENCHMARKS.md from one run's results (the dict bench/run.py builds), keeping the profile findings.

Everything in the tables comes from the results; the block between PROFILE_START and PROFILE_END of the
file being replaced is carried over as it is, so findings written there survive every run.
"""

from __future__ import annotations

MB = 1_000_000
PROFILE_START = "<!-- profile:start -->"
PROFILE_END = "<!-- profile:end -->"
DEFAULT_PROFILE = ("_Nothing recorded yet. Write profile findings between the two profile markers of this "
                   "file: `bench/run.py` keeps them when it rewrites the rest._")

# (key, label, threshold, comparison) of the targets
INGEST_RATE = 100_000
FLOOR_SHARE = 0.60
PEAK_RSS = 1_000 * MB
STORE_RATIO = 1.5
BLAME_P95_MS = 50.0
QUERY_P95_MS = 500.0
TARGET_SIZES = 1_000_000  # ingest targets are for the 1M and 10M corpora, query targets for 10M
QUERY_TARGET_SIZE = 10_000_000


def num(value, digits: int = 0) -> str:
    """A number as the tables show it (thousands separated), or n/a."""
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def kept_profile(previous: str | None) -> str:
    if previous and PROFILE_START in previous and PROFILE_END in previous.split(PROFILE_START, 1)[1]:
        return previous.split(PROFILE_START, 1)[1].split(PROFILE_END, 1)[0].strip("\n")
    return DEFAULT_PROFILE


def _machine(results: dict) -> str:
    rows = [[k, v] for k, v in results["machine"].items()]
    rows.append(["Peak RSS from", results["rss_source"]])
    rows.append(["Worker processes (generation, floor)", str(results["workers"])])
    return table(["what", "value"], rows)


def _corpora(results: dict) -> str:
    rows = []
    for c in results["corpora"]:
        rows.append([c["label"], num(c["records"]), num(c["files"]), num(c["gzip_bytes"] / MB, 1),
                     f"{c['start']} .. {c['end']}", f"{c['catalog_sources_hit']} / {c['catalog_sources']}",
                     f"{c['catalog_rules_hit']} / {c['catalog_rules']}", num(c["event_sources"]), str(c["shards"]),
                     num(c["generation_s"], 1), num(c["records"] / max(c["shard_seconds"], 1e-9) / 1000, 1),
                     "yes" if c["cached"] else "no"])
    return table(["corpus", "records", "files", "gzip MB", "days", "catalog services", "catalog events",
                  "event sources", "shards", "generation wall s", "generation k records/s per process",
                  "cached"], rows)


def _ingest(results: dict) -> str:
    rows = []
    for s in results["sizes"]:
        i = s["ingest"]
        rows.append([s["label"], num(i["records"]), num(i["wall_s"], 1), num(i["records_per_s"]),
                     num(i["gzip_mb_per_s"], 2), num(i["cpu_s"], 1), num(i["cores_used"], 2),
                     num(i["peak_rss_bytes"] / MB), num(i["store_bytes"] / MB, 1), num(i["store_ratio"], 2),
                     num(i["bad_records"])])
    return table(["corpus", "records", "wall s", "records/s", "MB/s gzip", "CPU s", "cores used", "peak RSS MB",
                  "store MB", "store / gzip", "bad records"], rows)


_STAGE_LABELS = {
    "decompress": "gunzip",
    "parse": "gunzip + {parser}",
    "bare-store": "gunzip + {parser} + 16 text columns into DuckDB (no raw)",
    "bare-store-raw": "same + raw JSON in a zstd column",
    "bare-store-chunks": "same + raw JSON zstd-compressed by the workers, 128 a chunk",
}


def _floor(results: dict) -> str:
    rows = []
    for s in results["sizes"]:
        parse = s["floor"]["parse"]["records_per_s"]

        def share(rate: float) -> str:
            return num(rate / parse, 2) if parse else "n/a"

        for stage, f in s["floor"].items():
            counted = stage != "decompress"
            rows.append([s["label"], _STAGE_LABELS[stage].format(parser=f["parser"]), str(f["workers"]),
                         num(f["wall_s"], 1), num(f["records_per_s"]) if counted else "n/a",
                         num(f["gzip_mb_per_s"], 1), num(f["json_mb_per_s"], 1), num(f["json_bytes"] / MB),
                         num(f["peak_rss_bytes"] / MB), num(f["store_bytes"] / MB, 1) if "store_bytes" in f else "",
                         share(f["records_per_s"]) if counted else "n/a"])
        i = s["ingest"]
        rows.append([s["label"], "cloudblame ingest (everything)", "all", num(i["wall_s"], 1),
                     num(i["records_per_s"]), num(i["gzip_mb_per_s"], 1), "", "", num(i["peak_rss_bytes"] / MB),
                     num(i["store_bytes"] / MB, 1), share(i["records_per_s"])])
    return table(["corpus", "stage", "processes", "wall s", "records/s", "MB/s gzip", "MB/s JSON", "JSON MB",
                  "peak RSS MB", "store MB", "/ parse floor"], rows)


def _queries(results: dict) -> str:
    rows = []
    for s in results["sizes"]:
        for q in s["queries"]:
            rows.append([s["label"], q["name"], str(q["runs"]), num(q["p50_ms"], 1), num(q["p95_ms"], 1),
                         num(q["max_ms"], 1), str(q["errors"]), q["note"] or ""])
    return table(["corpus", "query", "runs", "p50 ms", "p95 ms", "max ms", "errors", "note"], rows)


def _incremental(results: dict) -> str:
    inc = results.get("incremental")
    if not inc or inc.get("skipped"):
        return f"Not measured: {inc.get('skipped') if inc else 'no corpus'}."
    return table(["into", "new files", "new records", "wall s", "records/s", "peak RSS MB", "store MB before",
                  "store MB after"],
                 [[inc["into"], num(inc["files"]), num(inc["new"]), num(inc["wall_s"], 1), num(inc["records_per_s"]),
                   num(inc["peak_rss_bytes"] / MB), num(inc["store_bytes_before"] / MB, 1),
                   num(inc["store_bytes"] / MB, 1)]])


def _peer(results: dict) -> str:
    peer = results["peer"]
    if peer["status"] != "ok":
        return f"trailscraper: {peer['status']} ({peer['reason']})."
    ours = peer["ours"]
    rows = [["cloudblame ingest (normalize, resources, identity, store)", num(ours["records"]), num(ours["wall_s"], 1),
             num(ours["records_per_s"]), num(ours["peak_rss_bytes"] / MB)],
            [f"trailscraper {peer['version']} select (read, filter, print)", num(peer["records_out"]),
             num(peer["wall_s"], 1), num(peer["records_out"] / peer["wall_s"] if peer["wall_s"] else None),
             num(peer["peak_rss_bytes"] / MB)]]
    return (f"On the {peer['corpus']} corpus, the same files, in the same run.\n\n"
            + table(["tool", "records", "wall s", "records/s", "peak RSS MB"], rows))


def _target_rows(results: dict) -> list[list[str]]:
    sizes = results["sizes"]
    ingest_sizes = [s for s in sizes if s["records_nominal"] >= TARGET_SIZES] or sizes[-1:]
    rows = []

    def row(what: str, threshold: str, label: str, measured: str, ok: bool | None, nominal: int, needed: int) -> None:
        verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        if ok is not None and nominal < needed:
            verdict += " (indicative: smaller corpus)"
        rows.append([what, threshold, label, measured, verdict])

    for s in ingest_sizes:
        i, n = s["ingest"], s["records_nominal"]
        parse = s["floor"]["parse"]["records_per_s"]
        share = i["records_per_s"] / parse if parse else None
        row("ingest records/s", f">= {num(INGEST_RATE)}", s["label"], num(i["records_per_s"]),
            i["records_per_s"] >= INGEST_RATE, n, TARGET_SIZES)
        row("ingest / parse floor", f">= {FLOOR_SHARE:.0%}", s["label"], "n/a" if share is None else f"{share:.0%}",
            None if share is None else share >= FLOOR_SHARE, n, TARGET_SIZES)
        row("peak RSS", f"< {num(PEAK_RSS / MB)} MB", s["label"], num(i["peak_rss_bytes"] / MB) + " MB",
            i["peak_rss_bytes"] < PEAK_RSS, n, TARGET_SIZES)
        row("store / gzip input", f"<= {STORE_RATIO}", s["label"], num(i["store_ratio"], 2),
            i["store_ratio"] <= STORE_RATIO, n, TARGET_SIZES)
    big = sizes[-1]
    for q in big["queries"]:
        limit = BLAME_P95_MS if q["name"] == "blame" else QUERY_P95_MS
        ok = None if q["p95_ms"] is None else (q["p95_ms"] < limit and q["errors"] == 0)
        row(f"{q['name']} p95", f"< {num(limit)} ms", big["label"],
            "not implemented" if q["note"] == "not implemented" else num(q["p95_ms"], 1) + " ms",
            ok, big["records_nominal"], QUERY_TARGET_SIZE)
    return rows


def render(results: dict, previous: str | None = None) -> str:
    """The whole BENCHMARKS.md."""
    parts = [
        "# Benchmarks",
        "<!-- Written by bench/run.py (make bench): every number below is measured by it. Edit only the "
        "profile findings block; the rest is replaced on each run. -->",
        f"Run: `{results['command']}`, {results['machine']['Date']}, {results['elapsed_s'] / 60:.1f} min in all. "
        "Ingest, floor and trailscraper run as subprocesses (wall time includes start-up; peak RSS is summed "
        "over each process tree); queries are library calls on a read-only store, after one warm-up call.",
        "## Machine", _machine(results),
        "## Corpora",
        "Generated by `cloudblame.demo.generate_sample_trail` in parallel shards (consecutive time windows, "
        "distinct seeds), cached under the corpus folder. Catalog services and events: how many of the catalog's "
        "eventSources and (eventSource, eventName) pairs occur in the corpus.",
        _corpora(results),
        "## Ingest",
        "`cloudblame ingest CORPUS --db STORE --format json` into a new store.", _ingest(results),
        "## Floor",
        "The same files on the same number of processes, nothing else: gunzip only, and gunzip + JSON parse. "
        "Then three bounds that do far less than ingest (no identity, user agent, resources, dedupe or "
        "lifecycle): the parse plus one process inserting 16 text fields per record into a DuckDB file in "
        "50,000-row batches under the writer's memory cap; the same keeping each raw record as the store "
        "does; and the same with the workers compressing the raw records. `/ parse floor` is records/s "
        "over the parse floor's records/s.", _floor(results),
        "## Queries", _queries(results),
        "## Incremental ingest",
        "1% more records in new files (the days after the corpus) ingested into a copy of the largest store.",
        _incremental(results),
        "## Side by side: trailscraper", _peer(results),
        "## Targets",
        "Ingest targets apply to the 1M and 10M corpora, query targets to 10M; on smaller corpora they are "
        "indicative.",
        table(["target", "threshold", "corpus", "measured", "result"], _target_rows(results)),
        "## Profile findings", PROFILE_START, kept_profile(previous), PROFILE_END,
    ]
    return "\n\n".join(parts) + "\n"
