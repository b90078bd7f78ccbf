"""BENCHMARKS.md from one run's results (the dict bench/run.py builds), keeping the profile findings.

Everything in the tables comes from the results; the block between PROFILE_START and PROFILE_END of the
file being replaced is carried over as it is, so findings written there survive every run. The Targets
table holds the issue's targets, each with its threshold, the corpus it was measured on, the measured
value and PASS or FAIL (marked indicative when measured on a smaller corpus than the target names).
"""

from __future__ import annotations

MB = 1_000_000
PROFILE_START = "<!-- profile:start -->"
PROFILE_END = "<!-- profile:end -->"
DEFAULT_PROFILE = ("_Nothing recorded yet. Write profile findings between the two profile markers of this "
                   "file: `bench/run.py` keeps them when it rewrites the rest._")

# the targets
INGEST_RATE = 100_000  # records/s, at 1M, 10M and on the real-shaped corpus
FLOOR_SHARE = 0.60  # of the parse floor, same corpora
SMALL_FILES_FLOOR_SHARE = 0.50  # of the parse floor, on trails of small files (the generated 1M)
PEER_FACTOR = 5.0  # trailscraper's wall time and peak RSS over ours, on 1M
PEAK_RSS = 1_000 * MB  # at 10M
STORE_RATIO = 1.0  # store bytes over gzip input bytes at 10M, with every raw record kept
INCREMENTAL_RATIO = 1.5  # 1% into the largest store over the same 1% into an empty store
BLAME_P95_MS = 50.0  # at 10M, idle and while an ingest runs
QUERY_P95_MS = 500.0
SERVE_P95_MS = 1_000.0  # the API while an ingest writes into the store, with zero errors
TARGET_SIZE = 1_000_000  # ingest rate, floor share and the small-file trails
LARGEST_TARGET_SIZE = 10_000_000  # peak RSS, store size, incremental, queries, serve
REAL_TARGET_SIZE = 300_000


def num(value, digits: int = 0) -> str:
    """A number as the tables show it (thousands separated), or n/a."""
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table (pipes and line breaks inside cells escaped)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def kept_profile(previous: str | None) -> str:
    if previous and PROFILE_START in previous and PROFILE_END in previous.split(PROFILE_START, 1)[1]:
        return previous.split(PROFILE_START, 1)[1].split(PROFILE_END, 1)[0].strip("\n")
    return DEFAULT_PROFILE


def measured_corpora(results: dict) -> list[dict]:
    """The generated corpora's results, then the real-shaped corpus's when it was measured."""
    real = results.get("real") or {}
    return results["sizes"] + ([real] if "ingest" in real else [])


def floor_share(size: dict) -> float | None:
    """Ingest's records/s over the parse floor's on the same corpus."""
    parse = size["floor"]["parse"]["records_per_s"]
    return size["ingest"]["records_per_s"] / parse if parse else None


def _machine(results: dict) -> str:
    rows = [[k, v] for k, v in results["machine"].items()]
    rows.append(["Peak RSS from", results["rss_source"]])
    rows.append(["Worker processes (generation, floor)", str(results["workers"])])
    return table(["what", "value"], rows)


def _corpora(results: dict) -> str:
    rows = []
    for c in results["corpora"]:
        rows.append([c["label"], c.get("origin", "sample generator"), num(c["records"]), num(c["files"]),
                     num(c["records"] / max(c["files"], 1), 1), num(c["gzip_bytes"] / MB, 1),
                     f"{c['start']} .. {c['end']}", f"{c['catalog_sources_hit']} / {c['catalog_sources']}",
                     f"{c['catalog_rules_hit']} / {c['catalog_rules']}", num(c["event_sources"]), str(c["shards"]),
                     num(c["generation_s"], 1), num(c["records"] / max(c["shard_seconds"], 1e-9) / 1000, 1),
                     "yes" if c["cached"] else "no"])
    out = table(["corpus", "records from", "records", "files", "records per file", "gzip MB", "days",
                 "catalog services", "catalog events", "event sources", "shards", "generation wall s",
                 "generation k records/s per process", "cached"], rows)
    skipped = (results.get("real") or {}).get("skipped")
    return out + (f"\n\nReal-shaped corpus: skipped ({skipped})." if skipped else "")


def _ingest(results: dict) -> str:
    rows = []
    for s in measured_corpora(results):
        i = s["ingest"]
        stored = i.get("stored") or {}
        rows.append([s["label"], num(i["records"]), num(i["wall_s"], 1), num(i["records_per_s"]),
                     num(i["gzip_mb_per_s"], 2), num(i["cpu_s"], 1), num(i["cores_used"], 2),
                     num(i["peak_rss_bytes"] / MB), num(i["store_bytes"] / MB, 1), num(i["store_ratio"], 2),
                     f"{num(stored.get('with_raw'))} / {num(stored.get('events'))}", num(i["bad_records"])])
    return table(["corpus", "records", "wall s", "records/s", "MB/s gzip", "CPU s", "cores used", "peak RSS MB",
                  "store MB", "store / gzip", "raw kept / events", "bad records"], rows)


def _spark(results: dict) -> str:
    spark = results.get("spark") or {"status": "skipped", "reason": "not measured in this run", "runs": []}
    if spark["status"] != "ok":
        return f"Skipped: {spark['reason']}."
    rows = []
    for r in spark["runs"]:
        if r["status"] != "ok":
            rows.append([r["label"], r.get("derive", ""), r["status"], r.get("reason", "")[:200]] + [""] * 7)
            continue
        rows.append([r["label"], r.get("derive", "spark"), "ok", num(r["records"]), num(r["wall_s"], 1), num(r["records_per_s"]),
                     num(r["embedded_records_per_s"]), num(r["records_per_s"] / r["embedded_records_per_s"], 2),
                     num(r["records_per_core_s"]), num(r["embedded_records_per_core_s"]),
                     num(r["peak_rss_bytes"] / MB)])
    return table(["corpus", "derived on", "status", "records", "wall s", "records/s", "embedded records/s",
                  "spark / embedded",
                  "records/s per core", "embedded records/s per core", "peak RSS MB"], rows)


_STAGE_LABELS = {"decompress": "gunzip", "parse": "gunzip + {parser}"}


def _floor(results: dict) -> str:
    rows = []
    for s in measured_corpora(results):
        parse = s["floor"]["parse"]["records_per_s"]
        for stage, f in s["floor"].items():
            counted = stage != "decompress"
            rows.append([s["label"], _STAGE_LABELS[stage].format(parser=f["parser"]), str(f["workers"]),
                         num(f["wall_s"], 1), num(f["records_per_s"]) if counted else "n/a",
                         num(f["gzip_mb_per_s"], 1), num(f["json_mb_per_s"], 1), num(f["json_bytes"] / MB),
                         num(f["peak_rss_bytes"] / MB), num(f["records_per_s"] / parse, 2) if counted else "n/a"])
        i = s["ingest"]
        rows.append([s["label"], "cloudblame ingest (everything)", "all", num(i["wall_s"], 1),
                     num(i["records_per_s"]), num(i["gzip_mb_per_s"], 1), "", "", num(i["peak_rss_bytes"] / MB),
                     num(floor_share(s), 2)])
    return table(["corpus", "stage", "processes", "wall s", "records/s", "MB/s gzip", "MB/s JSON", "JSON MB",
                  "peak RSS MB", "/ parse floor"], rows)


QUERY_HEADER = ["corpus", "query", "runs", "p50 ms", "p95 ms", "max ms", "errors", "note"]


def _query_rows(label: str, queries: list[dict]) -> list[list[str]]:
    return [[label, q["name"], str(q["runs"]), num(q["p50_ms"], 1), num(q["p95_ms"], 1), num(q["max_ms"], 1),
             str(q["errors"]), q["note"] or ""] for q in queries]


def _queries(results: dict) -> str:
    return table(QUERY_HEADER, [row for s in results["sizes"] for row in _query_rows(s["label"], s["queries"])])


def _background(what: str, part: dict) -> list[str]:
    """A row of the ingests that ran beside one measurement."""
    runs = part.get("ingest_runs", [])
    first = runs[0] if runs else None
    failed = [r for r in runs if not r["stopped"] and (r["returncode"] != 0 or r["error"])]
    return [what, num(part.get("span_s"), 1), f"{part.get('busy_share', 0):.0%}", str(len(runs)),
            f"{num(first['new'])} new in {num(first['wall_s'], 1)} s" if first else "n/a",
            str(sum(r["force"] for r in runs)), str(len(failed)),
            (failed[0]["error"][:160] or f"exit {failed[0]['returncode']}") if failed else ""]


def _during_queries(results: dict) -> str:
    during = results["during_ingest"]
    part = during["queries"]
    return (f"The queries above, timed again on a copy of the {during['label']} store while `cloudblame ingest` "
            f"of {during['corpus']} (then, while the timings last, the same files again with `--force`) runs "
            f"into that copy in a subprocess; the reader moves to each newly published snapshot before each "
            f"query (it moved {part['snapshots_followed']} times).\n\n"
            + table(QUERY_HEADER, _query_rows(during["label"], part["queries"])))


def _serve(results: dict) -> str:
    during = results["during_ingest"]
    serve = during["serve"]
    intro = (f"`cloudblame serve --db COPY` of the {during['label']} store in a subprocess, its JSON API "
             f"asked one request at a time (urllib) while `cloudblame ingest` of {during['corpus']} writes into "
             "the same copy; every answer other than 200 is an error.")
    if serve["status"] != "ok":
        return f"{intro}\n\nNot measured: {serve['reason']}"
    rows = [[e["endpoint"], num(e["requests"]), num(e["errors"]), num(e["p50_ms"], 1), num(e["p95_ms"], 1),
             num(e["max_ms"], 1), e["first_error"]] for e in serve["endpoints"]]
    return intro + "\n\n" + table(["endpoint", "requests", "errors", "p50 ms", "p95 ms", "max ms", "first error"],
                                  rows)


def _beside(results: dict) -> str:
    during = results["during_ingest"]
    rows = [_background("queries", during["queries"])]
    if during["serve"]["status"] == "ok":
        rows.append(_background("serve", during["serve"]))
    return ("The ingests that ran during the two measurements above: the share of each measurement's span "
            "during which one was running, the first (new records) and the `--force` re-reads after it (one "
            "still running when the measurement ended is stopped, not counted as failed).\n\n"
            + table(["measurement", "span s", "ingest running", "ingest runs", "first run", "re-reads", "failed",
                     "failure"], rows))


def _incremental(results: dict) -> str:
    inc = results.get("incremental")
    if not inc or inc.get("skipped"):
        return f"Not measured: {inc.get('skipped') if inc else 'no corpus'}."
    empty = inc["empty"]
    rows = [[f"a copy of the {inc['into']} store", num(inc["files"]), num(inc["new"]), num(inc["wall_s"], 1),
             num(inc["records_per_s"]), num(inc["peak_rss_bytes"] / MB), num(inc["store_bytes_before"] / MB, 1),
             num(inc["store_bytes"] / MB, 1)],
            ["an empty store", num(empty["files"]), num(empty["new"]), num(empty["wall_s"], 1),
             num(empty["records_per_s"]), num(empty["peak_rss_bytes"] / MB), "0.0", num(empty["store_bytes"] / MB, 1)]]
    return (f"{inc['corpus']['label']}: 1% more records in new files (the days after the corpus), ingested into "
            f"a copy of the largest store and into an empty store; the first takes "
            f"{num(inc['wall_s'] / empty['wall_s'], 2)}x the time of the second.\n\n"
            + table(["into", "new files", "new records", "wall s", "records/s", "peak RSS MB", "store MB before",
                     "store MB after"], rows))


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
    return (f"On the {peer['corpus']} corpus, the same files, in the same run: trailscraper takes "
            f"{num(peer['wall_s'] / ours['wall_s'], 1)}x our wall time and "
            f"{num(peer['peak_rss_bytes'] / ours['peak_rss_bytes'], 1)}x our peak RSS.\n\n"
            + table(["tool", "records", "wall s", "records/s", "peak RSS MB"], rows))


class Targets:
    """The rows of the Targets table."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(self, what: str, threshold: str, corpus: str, measured: str, ok: bool | None, nominal: int,
            needed: int) -> None:
        verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        if ok is not None and nominal < needed:
            verdict += " (indicative: smaller corpus)"
        self.rows.append([what, threshold, corpus, measured, verdict])


def _ingest_targets(t: Targets, results: dict) -> None:
    sizes = results["sizes"]
    chosen = [(s, TARGET_SIZE) for s in sizes if s["records_nominal"] >= TARGET_SIZE] or [(sizes[-1], TARGET_SIZE)]
    real = results.get("real") or {}
    if "ingest" in real:
        chosen.append((real, REAL_TARGET_SIZE))
    for s, needed in chosen:
        rate, share, n = s["ingest"]["records_per_s"], floor_share(s), s["records_nominal"]
        t.add("ingest records/s", f">= {num(INGEST_RATE)}", s["label"], num(rate), rate >= INGEST_RATE, n, needed)
        t.add("ingest / parse floor", f">= {FLOOR_SHARE:.0%}", s["label"], "n/a" if share is None else f"{share:.0%}",
              None if share is None else share >= FLOOR_SHARE, n, needed)
    if "skipped" in real:
        t.add("ingest records/s, real-shaped", f">= {num(INGEST_RATE)}", "real-shaped", f"skipped: {real['skipped']}",
              None, 0, 0)


def _small_files_target(t: Targets, results: dict) -> None:
    s = next((s for s in results["sizes"] if s["records_nominal"] == TARGET_SIZE), results["sizes"][-1])
    share, i = floor_share(s), s["ingest"]
    per_file = i["records"] / max(i["files"], 1)
    t.add("small-file trails: ingest / parse floor", f">= {SMALL_FILES_FLOOR_SHARE:.0%}", s["label"],
          "n/a" if share is None else f"{share:.0%} ({per_file:.0f} records per file)",
          None if share is None else share >= SMALL_FILES_FLOOR_SHARE, s["records_nominal"], TARGET_SIZE)


def _peer_targets(t: Targets, results: dict) -> None:
    peer = results["peer"]
    if peer["status"] != "ok":
        for what in ("trailscraper wall time / ours", "trailscraper peak RSS / ours"):
            t.add(what, f">= {PEER_FACTOR:g}x", peer.get("corpus", "1M"), f"{peer['status']}", None, 0, 0)
        return
    ours, n = peer["ours"], TARGET_SIZE if peer["corpus"] == "1M" else 0
    speed, memory = peer["wall_s"] / ours["wall_s"], peer["peak_rss_bytes"] / ours["peak_rss_bytes"]
    t.add("trailscraper wall time / ours", f">= {PEER_FACTOR:g}x", peer["corpus"], f"{speed:.1f}x",
          speed >= PEER_FACTOR, n, TARGET_SIZE)
    t.add("trailscraper peak RSS / ours", f">= {PEER_FACTOR:g}x", peer["corpus"], f"{memory:.1f}x",
          memory >= PEER_FACTOR, n, TARGET_SIZE)


def _footprint_targets(t: Targets, results: dict) -> None:
    big = results["sizes"][-1]
    i, n = big["ingest"], big["records_nominal"]
    t.add("peak RSS", f"< {num(PEAK_RSS / MB)} MB", big["label"], num(i["peak_rss_bytes"] / MB) + " MB",
          i["peak_rss_bytes"] < PEAK_RSS, n, LARGEST_TARGET_SIZE)
    stored = i.get("stored") or {}
    kept = stored.get("with_raw") == stored.get("events") == i["new"]
    t.add("store / gzip input, every raw record kept", f"<= {STORE_RATIO:.1f}", big["label"],
          f"{num(i['store_ratio'], 2)} (raw kept: {num(stored.get('with_raw'))} of {num(i['new'])} events)",
          i["store_ratio"] is not None and i["store_ratio"] <= STORE_RATIO and kept, n, LARGEST_TARGET_SIZE)
    inc = results["incremental"]
    ratio = inc["wall_s"] / inc["empty"]["wall_s"]
    t.add("1% into the largest store / into an empty store", f"<= {INCREMENTAL_RATIO:g}x", inc["into"],
          f"{ratio:.2f}x ({num(inc['wall_s'], 1)} s / {num(inc['empty']['wall_s'], 1)} s)",
          ratio <= INCREMENTAL_RATIO, n, LARGEST_TARGET_SIZE)


def _query_targets(t: Targets, label: str, nominal: int, queries: list[dict], when: str) -> None:
    for q in queries:
        limit = BLAME_P95_MS if q["name"] == "blame" else QUERY_P95_MS
        ok = None if q["p95_ms"] is None else (q["p95_ms"] < limit and q["errors"] == 0)
        t.add(f"{q['name']} p95, {when}", f"< {num(limit)} ms", label,
              num(q["p95_ms"], 1) + " ms",
              ok, nominal, LARGEST_TARGET_SIZE)


def _serve_targets(t: Targets, results: dict) -> None:
    during = results["during_ingest"]
    serve, label, n = during["serve"], during["label"], during["records_nominal"]
    if serve["status"] != "ok":
        t.add("serve during ingest: errors", "0", label, f"failed: {serve['reason'][:120]}", False, n, 0)
        return
    every = next(e for e in serve["endpoints"] if e["endpoint"] == "all")
    t.add("serve during ingest: errors", "0", label, f"{num(every['errors'])} of {num(every['requests'])} requests",
          every["errors"] == 0, n, LARGEST_TARGET_SIZE)
    t.add("serve during ingest: p95", f"< {num(SERVE_P95_MS)} ms", label, num(every["p95_ms"], 1) + " ms",
          every["p95_ms"] is not None and every["p95_ms"] < SERVE_P95_MS, n, LARGEST_TARGET_SIZE)
    runs = during["queries"]["ingest_runs"] + serve["ingest_runs"]
    failed = during["queries"]["ingest_failures"] + serve["ingest_failures"]
    t.add("ingests beside readers and the server: failures", "0", label, f"{failed} of {len(runs)} runs",
          failed == 0 and bool(runs), n, LARGEST_TARGET_SIZE)


def _target_rows(results: dict) -> list[list[str]]:
    t = Targets()
    _ingest_targets(t, results)
    _small_files_target(t, results)
    _peer_targets(t, results)
    _footprint_targets(t, results)
    big = results["sizes"][-1]
    _query_targets(t, big["label"], big["records_nominal"], big["queries"], "idle")
    during = results["during_ingest"]
    _query_targets(t, during["label"], during["records_nominal"], during["queries"]["queries"], "during ingest")
    _serve_targets(t, results)
    return t.rows


def render(results: dict, previous: str | None = None) -> str:
    """The whole BENCHMARKS.md."""
    parts = [
        "# Benchmarks",
        "<!-- Written by bench/run.py (make bench): every number below is measured by it. Edit only the "
        "profile findings block; the rest is replaced on each run. -->",
        f"Run: `{results['command']}`, {results['machine']['Date']}, {results['elapsed_s'] / 60:.1f} min in all. "
        "Ingest, floor, the server and trailscraper run as subprocesses (wall time includes start-up; peak RSS "
        "is summed over each process tree); queries are library calls on a read-only store (one published "
        "snapshot), after one warm-up call.",
        "## Machine", _machine(results),
        "## Corpora",
        "Generated corpora: `cloudblame.demo.generate_sample_trail` in parallel shards (consecutive time windows, "
        "distinct seeds), trails of small files as CloudTrail delivers them (one per account, region and five "
        "minutes). Real-shaped: the records of `../shared/datasets` replicated with new eventIDs and times, in "
        "trail files of 25-100 records (bench/realcorpus.py). Both cached under the corpus folder. Catalog "
        "services and events: how many of the catalog's eventSources and (eventSource, eventName) pairs occur "
        "in the corpus.",
        _corpora(results),
        "## Ingest",
        "`cloudblame ingest CORPUS --db STORE --format json` into a new store (a directory of Delta tables). "
        "Raw kept: events of the published snapshot whose raw record is stored, of all its events.",
        _ingest(results),
        "## Floor",
        "The same files on the same number of processes, nothing else: gunzip only, and gunzip + JSON parse. "
        "`/ parse floor` is records/s over the parse floor's records/s.", _floor(results),
        "## Queries", _queries(results),
        "## Queries during ingest", _during_queries(results),
        "## Serve during ingest", _serve(results),
        "## Ingests beside the readers", _beside(results),
        "## Incremental ingest", _incremental(results),
        "## Side by side: trailscraper", _peer(results),
        "## Spark local mode",
        "`cloudblame spark ingest CORPUS --db STORE --master local[N]` into a new store, N the cores above, beside "
        "the embedded ingest of the same corpus (wall time includes the JVM's start-up), its derived tables "
        "computed on Spark (`--derive spark`, as on a cluster) and by DuckDB in the driver (`--derive embedded`, "
        "the default on a local master). Records/s per core "
        "(records/s over the N cores, both engines given the same) is the rate docs/spark.md sizes clusters "
        "from.", _spark(results),
        "## Targets",
        "The issue's targets, measured side by side in this run. Ingest rate and floor share apply to the 1M "
        "and 10M corpora and to the 300k real-shaped corpus; small-file trails to the generated 1M; trailscraper "
        "to 1M; the rest to 10M. Measured on a smaller corpus, a result is indicative.",
        table(["target", "threshold", "corpus", "measured", "result"], _target_rows(results)),
        "## Profile findings", PROFILE_START, kept_profile(previous), PROFILE_END,
    ]
    return "\n\n".join(parts) + "\n"
