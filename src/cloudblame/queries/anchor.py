"""What relative times (``--since 7d``, "Last 7 days", ages) count back from, the same for every face: now,
or, when the store is an archive (its newest event is older than ``ARCHIVE_AFTER``), its newest event -
otherwise "the last 7 days" of a trail copied last month would always be empty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cloudblame.store.db import Store

ARCHIVE_AFTER = timedelta(days=1)  # CloudTrail delivers within minutes: a day without events is an archive


@dataclass(frozen=True)
class TimeAnchor:
    now: datetime  # what relative times count back from (naive UTC, like event times)
    newest: datetime | None  # the newest stored event
    archive: bool  # True when ``now`` is the newest stored event rather than the clock


def time_anchor(store: Store, clock: datetime | None = None) -> TimeAnchor:
    """The anchor of relative times on ``store`` (``clock``: the current time, naive UTC; default now)."""
    now = clock or datetime.now(UTC).replace(tzinfo=None)
    newest = store.newest_event_time()
    if newest is None or now - newest <= ARCHIVE_AFTER:
        return TimeAnchor(now, newest, archive=False)
    return TimeAnchor(newest, newest, archive=True)
