"""Insight rows written straight into a store's derived tables (``insights``, ``api_minutes``,
``hot_minutes``), as a publish would leave them: for the tests of the faces of insights, whatever the
derive steps find in the events. ``plant`` appends the rows to the tables and publishes a snapshot naming
their new versions (the other tables stay at theirs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from cloudblame.store.files import write_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.tables import API_MINUTES, HOT_MINUTES, INSIGHTS, TABLES


def insight_row(insight_id: str, kind: str, start: datetime, *, source: str = "cloudblame",
                severity: str = "medium", account: str | None = "111122223333", region: str | None = "us-east-1",
                end: datetime | None = None, event_source: str | None = None, event_name: str | None = None,
                error_code: str | None = None, people: list[str] | None = None, summary: str = "",
                cost: float | None = None, baseline: float | None = None, value: float | None = None,
                details: dict[str, Any] | None = None) -> dict[str, Any]:
    """One row of ``insights`` (``end``: the first minute after a rate insight, as the derive steps write it)."""
    return {"insight_id": insight_id, "kind": kind, "source": source, "severity": severity, "account_id": account,
            "aws_region": region, "start_time": start, "end_time": end, "event_source": event_source,
            "event_name": event_name, "error_code": error_code, "people": orjson.dumps(people or []).decode(),
            "summary": summary or f"{kind} {insight_id}", "monthly_cost_added": cost, "baseline": baseline,
            "value": value, "duration_minutes": int((end - start).total_seconds() // 60) if end else None,
            "details": orjson.dumps(details or {}).decode()}


def minute_rows(account: str, region: str, source: str, name: str, counts: dict[datetime, tuple[int, int]],
                ) -> list[dict[str, Any]]:
    """``api_minutes`` rows: minute -> (calls, errors)."""
    return [{"account_id": account, "aws_region": region, "event_source": source, "event_name": name,
             "minute": minute, "calls": calls, "errors": errors} for minute, (calls, errors) in counts.items()]


def hot_rows(account: str, region: str, source: str, name: str, series: str,
             minutes: dict[datetime, tuple[int, float]]) -> list[dict[str, Any]]:
    """``hot_minutes`` rows: minute -> (count, baseline)."""
    return [{"account_id": account, "aws_region": region, "event_source": source, "event_name": name,
             "series": series, "minute": minute, "count": count, "baseline": baseline}
            for minute, (count, baseline) in minutes.items()]


def plant(db: Path | str, insights: list[dict[str, Any]], minutes: list[dict[str, Any]] = (),
          hot: list[dict[str, Any]] = ()) -> None:
    """Append the rows to the store's tables and publish them (a snapshot naming the tables' new versions)."""
    lake = Lake.open(db)
    with lake.publish_lock(), lake.writer() as writer_id:
        snapshot = lake.latest_snapshot()
        assert snapshot is not None
        versions = dict(snapshot.versions)
        for n, (table, rows) in enumerate(((INSIGHTS, insights), (API_MINUTES, minutes), (HOT_MINUTES, hot))):
            if rows:
                data = pa.Table.from_pylist(list(rows), schema=TABLES[table.name].schema)
                action = write_data_file(lake.root, table, data, writer_id=writer_id, sequence=900 + n)
                versions[table.name] = commit(lake, table, [action])
        lake.publish(versions, events=snapshot.events, reason="test: insights planted", writer_id=writer_id)


def minutes_between(first: datetime, count: int) -> list[datetime]:
    return [first + timedelta(minutes=i) for i in range(count)]
