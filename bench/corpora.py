"""Benchmark corpora: the sample generator's trails at fixed sizes, generated once and cached.

A corpus is an organization trail (four accounts, three regions, the S3 key layout, ``.json.gz``) of
the demo's story plus a crowd of people and roles, routine traffic, and the lives of resources of every
catalog type (``catalog_share``), about 80,000 records a day. It is written in parallel shards, one per
worker process, each with its own seed and its own time window (shard 1 starts the day shard 0 ends), so
object keys never collide and everyone's ids (``people_seed``) and the organization stay the same.

``<corpus-dir>/<label>/corpus.json`` records the parameters and a fingerprint of the generator's and the
catalog's sources: a changed generator, catalog, size or parameter regenerates the corpus. The
real-shaped corpus (records of ../shared/datasets replicated) is made by bench/realcorpus.py and cached
the same way.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import MISSING, asdict, dataclass, fields
from datetime import date, timedelta
from pathlib import Path

import cloudblame.catalog
import cloudblame.demo
from cloudblame.catalog import RULES
from cloudblame.demo import generate_sample_trail

FORMAT = 2
START = "2026-03-02"  # a Monday, far enough back that 10M records and the 1% increment end in the past
RECORDS_PER_DAY = 80_000
SEED_BASE = 1000
INCREMENT_SEED = 1500
GENERATOR_OPTIONS = {"accounts": 4, "organization": "o-cbbench0001", "people": 40, "people_seed": 4242,
                     "catalog_share": 0.08}


@dataclass
class Corpus:
    label: str
    root: Path  # the trail folder (AWSLogs/... below it)
    records: int
    files: int
    gzip_bytes: int
    generation_s: float  # wall time of the (parallel) generation, 0 when cached
    shard_seconds: float  # each shard's generation time, summed (per-process throughput)
    shards: int
    start: str
    end: str  # the day after the last day
    event_sources: int
    catalog_sources_hit: int
    catalog_sources: int
    catalog_rules_hit: int  # (eventSource, eventName) pairs of the catalog present in the corpus
    catalog_rules: int
    cached: bool = False
    origin: str = "sample generator"  # where the records come from


_SAVED_FIELDS = {f.name for f in fields(Corpus)} - {"root", "cached"}
_REQUIRED_FIELDS = {f.name for f in fields(Corpus) if f.default is MISSING} - {"root"}


def cached_corpus(folder: Path, params: dict) -> Corpus | None:
    """The corpus saved in ``folder`` when it was made with ``params`` and its trail is there, else None."""
    marker = folder / "corpus.json"
    if not (marker.is_file() and (folder / "trail").is_dir()):
        return None
    saved = json.loads(marker.read_text())
    kept = saved.get("corpus", {})
    if saved.get("params") != params or not _REQUIRED_FIELDS <= kept.keys() <= _SAVED_FIELDS:
        return None
    return Corpus(**kept, root=folder / "trail", cached=True)


def save_corpus(folder: Path, corpus: Corpus, params: dict) -> None:
    """Record ``corpus`` and the ``params`` it was made with in ``folder/corpus.json``."""
    saved = {k: v for k, v in asdict(corpus).items() if k not in ("root", "cached")}
    (folder / "corpus.json").write_text(json.dumps({"params": params, "corpus": saved}, indent=1))


def parse_size(text: str) -> int:
    """``100k``, ``1M``, ``10M``, ``2500`` -> a record count."""
    t = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    number = t[:-1] if factor > 1 else t
    value = int(float(number) * factor)
    if value < 100:
        raise ValueError(f"corpus size {text!r}: at least 100 records")
    return value


def size_label(records: int) -> str:
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if records >= factor and records % factor == 0:
            return f"{records // factor}{suffix}"
    return str(records)


def fingerprint() -> str:
    """A digest of the sources that decide what the generator writes (demo and catalog)."""
    digest = hashlib.sha256()
    for package in (cloudblame.demo, cloudblame.catalog):
        folder = Path(package.__file__).parent
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def shard_plan(records: int, shards: int, start: str, seed: int) -> list[dict]:
    """generate_sample_trail keywords of each shard: consecutive time windows, distinct seeds."""
    shards = max(1, min(shards, records // 50))
    per = [records // shards + (1 if i < records % shards else 0) for i in range(shards)]
    days = max(2, round(per[0] / RECORDS_PER_DAY))
    first = date.fromisoformat(start)
    return [dict(GENERATOR_OPTIONS, records=n, seed=seed + i, start=(first + timedelta(days=i * days)).isoformat(),
                 days=days) for i, n in enumerate(per)]


def _generate_shard(root: str, kwargs: dict) -> dict:
    summary = generate_sample_trail(Path(root), **kwargs)
    return {"records": summary.records, "files": summary.files, "bytes": summary.bytes, "seconds": summary.seconds,
            "event_counts": [[s, n, c] for (s, n), c in summary.event_counts.items()]}


def coverage(event_counts: set[tuple[str, str]]) -> dict:
    """How many of the catalog's eventSources and (eventSource, eventName) rules ``event_counts`` hits."""
    catalog_sources = {source for source, _ in RULES}
    sources = {source for source, _ in event_counts}
    return {"event_sources": len(sources), "catalog_sources_hit": len(sources & catalog_sources),
            "catalog_sources": len(catalog_sources), "catalog_rules_hit": len(event_counts & set(RULES)),
            "catalog_rules": len(RULES)}


def ensure_corpus(base: Path, label: str, records: int, *, workers: int, start: str = START,
                  seed: int = SEED_BASE, log=print) -> Corpus:
    """The corpus ``label`` of ``records`` records under ``base``, generated unless cached and current."""
    folder = base / label
    plan = shard_plan(records, workers, start, seed)
    params = {"format": FORMAT, "records": records, "shards": plan, "generator": fingerprint()}
    cached = cached_corpus(folder, params)
    if cached is not None:
        return cached
    if (folder / "corpus.json").is_file():
        log(f"corpus {label}: parameters or generator changed, regenerating")
    return _generate(folder, label, plan, params, log)


def _generate(folder: Path, label: str, plan: list[dict], params: dict, log) -> Corpus:
    shutil.rmtree(folder, ignore_errors=True)
    trail = folder / "trail"
    trail.mkdir(parents=True)
    log(f"corpus {label}: generating {params['records']:,} records in {len(plan)} shard(s)")
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=len(plan)) as pool:
        parts = list(pool.map(_generate_shard, [str(trail)] * len(plan), plan))
    wall = time.perf_counter() - started
    pairs = {(s, n) for part in parts for s, n, _ in part["event_counts"]}
    last = plan[-1]
    end = date.fromisoformat(last["start"]) + timedelta(days=last["days"])
    corpus = Corpus(label=label, root=trail, records=sum(p["records"] for p in parts),
                    files=sum(p["files"] for p in parts), gzip_bytes=sum(p["bytes"] for p in parts),
                    generation_s=wall, shard_seconds=sum(p["seconds"] for p in parts), shards=len(plan),
                    start=plan[0]["start"], end=end.isoformat(), **coverage(pairs))
    save_corpus(folder, corpus, params)
    log(f"corpus {label}: {corpus.records:,} records, {corpus.files:,} files, "
        f"{corpus.gzip_bytes / 1e6:.1f} MB gzip in {wall:.1f}s")
    return corpus


def ensure_increment(base: Path, corpus: Corpus, *, log=print) -> Corpus:
    """1% more records in new files, in the days after ``corpus`` ends (one shard, a seed of its own)."""
    records = max(100, corpus.records // 100)
    return ensure_corpus(base, f"{corpus.label}-plus1pct", records, workers=1, start=corpus.end,
                         seed=INCREMENT_SEED, log=log)
