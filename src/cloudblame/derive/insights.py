"""Insights: unusual activity found when the events it is made of are published (docs/insights.md).

One step of a publish (cloudblame.derive.publish.derive), after the resources, sessions and inventory are
current: each finder reads ``rows`` (``new_events``; ``event_rows`` when everything is derived again), the
derived tables, and writes its own rows of ``insights`` (by kind and source), set-based. What they share: derive/insight_common.py.

- ``insight_rates``: CloudTrail Insights' call-rate and error-rate insights, from per-minute series per API
  (``api_minutes``) against a 7-day baseline (``hot_minutes``);
- ``insight_costs``: bursts of expensive creations (``creations``: every creation, priced once) and
  resources left without an Owner tag (from ``inventory``);
- ``insight_hygiene``: root use, console sign-in without MFA, access keys, trails stopped, regions never
  used, new tools, logging gaps (``event_hours``);
- ``insight_aws``: AWS's own insight records, beside ours.
"""

from __future__ import annotations

from cloudblame.derive.insight_aws import update_aws_insights
from cloudblame.derive.insight_costs import update_cost_insights
from cloudblame.derive.insight_hygiene import update_hygiene_insights
from cloudblame.derive.insight_rates import update_rate_insights
from cloudblame.derive.work import Work


def update_insights(work: Work, *, everything: bool) -> None:
    """Every insights finder brought forward from the new events (with ``everything``, from all events)."""
    rows = "event_rows" if everything else "new_events"
    update_rate_insights(work, rows)
    update_cost_insights(work, rows)
    update_hygiene_insights(work, rows)
    with work.on_driver() as driver:  # AWS's records read with DuckDB's JSON (few: one per insight and end)
        update_aws_insights(driver, rows)
