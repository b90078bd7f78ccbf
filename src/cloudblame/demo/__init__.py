"""The sample-trail generator: a realistic CloudTrail trail of a shared sandbox account.

``cloudblame demo`` writes it and blames one of its resources; the same generator writes the benchmark
corpora (it streams, so the size is only bounded by the disk). See :func:`generate_sample_trail`.
"""

from cloudblame.demo.generator import SampleSummary, generate_sample_trail
from cloudblame.demo.scenario import Expected

__all__ = ["Expected", "SampleSummary", "generate_sample_trail"]
