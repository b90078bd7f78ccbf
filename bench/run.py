"""Benchmark cloudblame and write BENCHMARKS.md: ``python bench/run.py`` (``make bench``).

For each generated corpus (default 100k, 1M and 10M records; cached) and for the real-shaped corpus
(300k records replicated from ../shared/datasets; skipped, saying why, without it): the floor (gunzip,
then gunzip + JSON parse, on the same files and the same number of processes), ``cloudblame ingest``
into a new store (wall time, records/s, MB/s, CPU, peak RSS of the process tree, store size and the raw
records it keeps); query latencies on each generated corpus's store. Then, on the largest store: 1% new
files ingested into a copy of it and into an empty store; the queries timed again while that ingest runs
into a copy; ``cloudblame serve`` on a copy answering its API while the ingest writes into the same
copy. Last, trailscraper over the 1M corpus. ``--quick`` is the smoke run the test suite uses: a few
thousand records, few repetitions, no trailscraper.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the bench package importable
    sys.path.insert(0, str(ROOT))

from bench import queries as Q
from bench.corpora import Corpus, ensure_corpus, ensure_increment, parse_size, size_label
from bench.during import queries_during_ingest
from bench.machine import machine_info
from bench.peer import PeerRun, run_trailscraper
from bench.procwatch import rss_source, run_watched
from bench.realcorpus import ensure_real_corpus
from bench.report import render
from bench.serveload import serve_during_ingest
from bench.spark import bench_spark
from cloudblame.store.db import Store

MB = 1_000_000
FLOOR_SCRIPT = Path(__file__).with_name("floor.py")
FLOOR_STAGES = ("decompress", "parse")
DATASETS = ROOT.parent / "shared" / "datasets"


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def cloudblame_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m cloudblame``."""
    script = Path(sys.executable).with_name("cloudblame")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cloudblame"]


def warm_page_cache(root: Path) -> None:
    """Read every file once, unmeasured, so the first measured reader does not pay for the disk alone."""
    for path in root.rglob("*.json.gz"):
        path.read_bytes()


def store_bytes(db: Path) -> int:
    """The bytes of a store directory's files (every table's data files and logs)."""
    return sum(p.stat().st_size for p in db.rglob("*") if p.is_file()) if db.is_dir() else 0


def stored_events(db: Path) -> dict:
    """Rows of the events table in the store's published snapshot, and how many keep their raw record."""
    with Store.open(db, read_only=True) as store:
        row = store.query("SELECT count(*) AS events, count(raw) AS with_raw FROM event_rows")[0]
    return {"events": int(row["events"]), "with_raw": int(row["with_raw"])}


def measure_floor(root: Path, stage: str, workers: int) -> dict:
    watched = run_watched([sys.executable, str(FLOOR_SCRIPT), str(root), "--stage", stage, "--workers", str(workers)])
    if watched.returncode != 0:
        raise BenchError(f"floor {stage} failed: {watched.stderr.decode(errors='replace')[-500:]}")
    out = json.loads(watched.stdout)
    wall = watched.wall_s
    out.update(wall_s=wall, cpu_s=watched.cpu_s, peak_rss_bytes=watched.peak_rss_bytes,
               records_per_s=out["records"] / wall, gzip_mb_per_s=out["gzip_bytes"] / MB / wall,
               json_mb_per_s=out["json_bytes"] / MB / wall)
    return out


def measure_ingest(trail: Path, db: Path) -> dict:
    """``cloudblame ingest`` of ``trail`` into ``db`` (which may exist: incremental), watched."""
    before = store_bytes(db)
    watched = run_watched(cloudblame_command() + ["ingest", str(trail), "--db", str(db), "--format", "json"])
    if watched.returncode != 0:
        raise BenchError(f"ingest of {trail} failed ({watched.returncode}): "
                         f"{watched.stderr.decode(errors='replace')[-800:]}")
    summary = json.loads(watched.stdout)
    summary = summary[0] if isinstance(summary, list) else summary
    wall, size = watched.wall_s, store_bytes(db)
    return {"records": summary["records"], "new": summary["new"], "files": summary["files"],
            "bad_records": summary.get("bad_records", 0), "gzip_bytes": summary["bytes"],
            "reported_s": summary.get("seconds"), "wall_s": wall, "cpu_s": watched.cpu_s,
            "cores_used": watched.cores_used, "peak_rss_bytes": watched.peak_rss_bytes,
            "records_per_s": summary["records"] / wall, "gzip_mb_per_s": summary["bytes"] / MB / wall,
            "store_bytes_before": before, "store_bytes": size,
            "store_ratio": size / summary["bytes"] if summary["bytes"] else None}


def bench_size(corpus: Corpus, nominal: int, work: Path, workers: int, plan: Q.Plan | None) -> dict:
    """Floor, ingest into a new store and (with a ``plan``) queries on one corpus."""
    warm_page_cache(corpus.root)
    floor = {}
    for stage in FLOOR_STAGES:
        log(f"{corpus.label}: floor {stage} on {workers} processes")
        floor[stage] = measure_floor(corpus.root, stage, workers)
    db = work / f"{corpus.label}-store"
    shutil.rmtree(db, ignore_errors=True)
    log(f"{corpus.label}: ingest into {db}")
    ingest = measure_ingest(corpus.root, db)
    ingest["stored"] = stored_events(db)
    log(f"{corpus.label}: {ingest['records']:,} records in {ingest['wall_s']:.1f}s "
        f"({ingest['records_per_s']:,.0f}/s, peak RSS {ingest['peak_rss_bytes'] / MB:,.0f} MB)"
        + ("; queries" if plan else ""))
    timings = Q.run_queries(str(db), plan)[0] if plan else []
    return {"label": corpus.label, "records_nominal": nominal, "corpus_root": str(corpus.root), "db": str(db),
            "floor": floor, "ingest": ingest,
            "queries": [asdict(t) for t in timings]}


def bench_real(args: argparse.Namespace, results: dict) -> dict:
    """The real-shaped corpus: floor and ingest (no queries), or why it was skipped."""
    corpus = ensure_real_corpus(args.corpus_dir, args.real_size, args.datasets, log=log)
    if isinstance(corpus, str):
        log(f"real-shaped corpus skipped: {corpus}")
        return {"skipped": corpus}
    results["corpora"].append(asdict(corpus) | {"root": str(corpus.root)})
    return bench_size(corpus, args.real_size, args.work_dir, args.workers, None)


def bench_incremental(corpus: Corpus, size: dict, extra: Corpus, work: Path) -> dict:
    """The increment ``extra`` (1% new files) into a copy of the store of ``size``, and into an empty
    store (both removed afterwards)."""
    warm_page_cache(extra.root)
    copy, empty = work / f"{corpus.label}-incremental-store", work / f"{corpus.label}-increment-empty-store"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(empty, ignore_errors=True)
    shutil.copytree(size["db"], copy)
    try:
        log(f"incremental: {extra.records:,} records in {extra.files:,} new files into a copy of the "
            f"{corpus.label} store")
        measured = measure_ingest(extra.root, copy)
        log("incremental: the same files into an empty store")
        alone = measure_ingest(extra.root, empty)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(empty, ignore_errors=True)
    return dict(measured, into=corpus.label, empty=alone, corpus=asdict(extra) | {"root": str(extra.root)})


def bench_during(size: dict, extra: Corpus, work: Path, plan: Q.Plan) -> dict:
    """Queries, then the web server, each while the increment is ingested into a copy of the store."""
    store, command = Path(size["db"]), cloudblame_command()
    log(f"queries on a copy of the {size['label']} store while {extra.label} is ingested into it")
    queries = queries_during_ingest(command, store, extra.root, work, plan)
    log(f"cloudblame serve on a copy of the {size['label']} store while {extra.label} is ingested into it")
    serve = serve_during_ingest(command, store, extra.root, work, plan)
    if serve["status"] != "ok":
        log(f"serve during ingest: {serve['reason']}")
    return {"label": size["label"], "records_nominal": size["records_nominal"], "corpus": extra.label,
            "queries": queries, "serve": serve}


def bench_peer(args, corpora: dict[int, Corpus], sizes: list[dict]) -> dict:
    target = parse_size(args.trailscraper_size)
    if args.skip_trailscraper or args.quick:
        return asdict(PeerRun("trailscraper", "skipped", reason="--skip-trailscraper or --quick"))
    if target not in corpora:
        return asdict(PeerRun("trailscraper", "skipped", reason=f"the {size_label(target)} corpus is not in --sizes"))
    run = run_trailscraper(args.trailscraper_venv, corpora[target], log=log)
    ours = next(s["ingest"] for s in sizes if s["records_nominal"] == target)
    if run.status == "ok" and run.records_out != ours["records"]:
        log(f"trailscraper printed {run.records_out:,} records, ingest read {ours['records']:,}")
    return asdict(run) | {"corpus": size_label(target), "ours": ours}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated corpus sizes (default 100k,1M,10M; 3k with --quick)")
    parser.add_argument("--real-size", help="records of the real-shaped corpus (default 300k; 5k with --quick)")
    parser.add_argument("--datasets", type=Path, default=DATASETS, help="the real CloudTrail logs it replicates")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="the markdown report")
    parser.add_argument("--results", type=Path, help="raw results as JSON (default CORPUS_DIR/results-latest.json)")
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / "bench" / "corpus", help="cached corpora")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "work",
                        help="stores (kept after the run for profiling)")
    parser.add_argument("--workers", type=int, default=2, help="processes for generation and the floor")
    parser.add_argument("--skip-trailscraper", action="store_true")
    parser.add_argument("--trailscraper-size", default="1M", help="the corpus trailscraper reads")
    parser.add_argument("--trailscraper-venv", type=Path, default=ROOT / "bench" / ".venv-trailscraper")
    parser.add_argument("--spark-size", default="1M", help="Spark local mode ingests the corpora up to this size")
    parser.add_argument("--skip-spark", action="store_true", help="leave out Spark local mode")
    parser.add_argument("--quick", action="store_true", help="smoke run: small corpora, few repetitions")
    args = parser.parse_args(argv)
    args.sizes = sorted({parse_size(s) for s in (args.sizes or ("3k" if args.quick else "100k,1M,10M")).split(",")})
    args.real_size = parse_size(args.real_size or ("5k" if args.quick else "300k"))
    return args


def run_all(args: argparse.Namespace, results: dict, plan: Q.Plan) -> None:
    """Every measurement, into ``results``."""
    corpora: dict[int, Corpus] = {}
    for nominal in args.sizes:
        corpus = ensure_corpus(args.corpus_dir, size_label(nominal), nominal, workers=args.workers, log=log)
        corpora[nominal] = corpus
        results["corpora"].append(asdict(corpus) | {"root": str(corpus.root)})
        results["sizes"].append(bench_size(corpus, nominal, args.work_dir, args.workers, plan))
    results["real"] = bench_real(args, results)
    largest, big = corpora[args.sizes[-1]], results["sizes"][-1]
    extra = ensure_increment(args.corpus_dir, largest, log=log)
    results["incremental"] = bench_incremental(largest, big, extra, args.work_dir)
    results["during_ingest"] = bench_during(big, extra, args.work_dir, plan)
    results["peer"] = bench_peer(args, corpora, results["sizes"])
    results["spark"] = ({"status": "skipped", "reason": "--skip-spark", "runs": []} if args.skip_spark else
                        bench_spark(cloudblame_command(), results["sizes"], args.work_dir, args.workers,
                                    parse_size(args.spark_size), log))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    args.corpus_dir.mkdir(parents=True, exist_ok=True)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    results = {"command": " ".join(["bench/run.py"] + (argv if argv is not None else sys.argv[1:])),
               "machine": machine_info(ROOT), "rss_source": rss_source(), "workers": args.workers,
               "corpora": [], "sizes": []}
    try:
        run_all(args, results, Q.QUICK if args.quick else Q.Plan())
    except BenchError as exc:
        log(f"error: {exc}")
        return 1
    results["elapsed_s"] = time.perf_counter() - started
    previous = args.out.read_text() if args.out.exists() else None
    args.out.write_text(render(results, previous))
    results_path = args.results or args.corpus_dir / "results-latest.json"
    results_path.write_text(json.dumps(results, indent=1, default=str))
    log(f"wrote {args.out} and {results_path} in {results['elapsed_s'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
