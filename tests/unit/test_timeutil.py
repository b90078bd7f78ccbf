from datetime import datetime

import pytest

from cloudblame.core.timeutil import iso_z, parse_event_time, parse_when


@pytest.mark.parametrize("value,expected", [
    ("2023-07-10T11:45:03Z", datetime(2023, 7, 10, 11, 45, 3)),
    ("2023-07-10T13:45:03+02:00", datetime(2023, 7, 10, 11, 45, 3)),
    ("2023-07-10T11:45:03.123Z", datetime(2023, 7, 10, 11, 45, 3, 123000)),
    ("20131102T010628Z", datetime(2013, 11, 2, 1, 6, 28)),
    (1688989503, datetime(2023, 7, 10, 11, 45, 3)),
    (1688989503000, datetime(2023, 7, 10, 11, 45, 3)),
    ("redacted", None), (None, None), (True, None), ({}, None),
])
def test_parse_event_time(value, expected):
    assert parse_event_time(value) == expected


def test_iso_z_and_relative():
    assert iso_z(datetime(2023, 7, 10, 11, 45, 3, 500)) == "2023-07-10T11:45:03Z"
    now = datetime(2025, 1, 10)
    assert parse_when("7d", now=now) == datetime(2025, 1, 3)
    assert parse_when("2w", now=now) == datetime(2024, 12, 27)
    assert parse_when("90m", now=now) == datetime(2025, 1, 9, 22, 30)
    assert parse_when("2023-07-10") == datetime(2023, 7, 10)
    with pytest.raises(ValueError, match="relative age"):
        parse_when("yesterday")
