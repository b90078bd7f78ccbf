"""cloudblame's benchmark harness: ``python bench/run.py`` (``make bench``) writes BENCHMARKS.md.

Modules: ``corpora`` (cached corpora from the sample generator, in parallel shards), ``realcorpus`` (the
real-shaped corpus: ../shared/datasets replicated), ``procwatch`` (a subprocess's wall time, CPU time and
peak RSS summed over its process tree), ``floor`` (decompress and parse only: the machine's limit),
``queries`` (query latencies on a loaded store), ``during`` (an ingest kept running beside a measurement;
the queries timed meanwhile), ``serveload`` (``cloudblame serve`` answering its API meanwhile), ``peer``
(trailscraper side by side), ``machine`` (what it ran on) and ``report`` (the markdown).
"""
