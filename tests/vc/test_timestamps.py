from __future__ import annotations

import datetime as dt

import pytest

from vc.timestamps import format_datetime_stamp, parse_datetime_stamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T00:00:00Z", dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        ("2024-01-01T05:30:00+05:30", dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        ("2024-01-01T00:00:00.5Z", dt.datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=dt.UTC)),
    ],
)
def test_parses(text, expected):
    assert parse_datetime_stamp(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-01T00:00:00",  # no zone (M08)
        "Sat 25 Feb 2023 07:16:31 PM CST",
        "2024-02-30T00:00:00Z",
        "2016-12-31T23:59:60Z",  # leap second: rejected, see the docstring
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00+15:00",
        "0000-01-01T00:00:00Z",
        "2024-1-01T00:00:00Z",
        "\uff12\uff10\uff12\uff14-01-01T00:00:00Z",  # fullwidth digits: int() would take them
    ],
)
def test_rejects(text):
    with pytest.raises(ValueError, match=r"."):
        parse_datetime_stamp(text)


def test_format_round_trip():
    moment = dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)
    assert parse_datetime_stamp(format_datetime_stamp(moment)) == moment
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime_stamp(dt.datetime(2026, 1, 1))
