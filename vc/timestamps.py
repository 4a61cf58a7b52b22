"""XML Schema dateTimeStamp values, as VC 2.0 and Data Integrity use them.

>>> from vc.timestamps import parse_datetime_stamp
>>> parse_datetime_stamp("2024-01-01T00:00:00Z").isoformat()
'2024-01-01T00:00:00+00:00'
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["DATETIME_STAMP", "format_datetime_stamp", "parse_datetime_stamp"]

#: dateTimeStamp: a dateTime with a mandatory time zone (VC 2.0, "Validity Period").
DATETIME_STAMP = re.compile(
    r"(?P<year>-?[0-9]{4,})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?P<fraction>\.[0-9]+)?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})"
)


def parse_datetime_stamp(value: object) -> dt.datetime:
    """Parse a dateTimeStamp into a UTC-aware datetime.

    Leap seconds (``23:59:60``) are rejected: Python cannot represent them and a
    verifier that silently moved them by a second would be guessing.
    ``24:00:00`` is rejected too (ambiguous day).

    Raises:
        ValueError: not a dateTimeStamp, or not a real date and time.
    """
    if not isinstance(value, str):
        raise TypeError("a dateTimeStamp is a string")
    match = DATETIME_STAMP.fullmatch(value)
    if match is None:
        raise ValueError(f"{value[:40]!r} is not an XML Schema dateTimeStamp (a zone is required)")
    zone = match["zone"]
    if zone == "Z":
        tz = dt.UTC
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 14 or minutes > 59 or (hours == 14 and minutes):
            raise ValueError(f"time zone {zone} is out of range")
        offset = dt.timedelta(hours=hours, minutes=minutes)
        tz = dt.timezone(offset if zone[0] == "+" else -offset)
    year = int(match["year"])
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is outside what laurel can compare")
    fraction = match["fraction"] or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    parsed = dt.datetime(  # raises ValueError for Feb 30, hour 24, second 60...
        year,
        int(match["month"]),
        int(match["day"]),
        int(match["hour"]),
        int(match["minute"]),
        int(match["second"]),
        micro,
        tzinfo=tz,
    )
    return parsed.astimezone(dt.UTC)


def format_datetime_stamp(moment: dt.datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds)."""
    if moment.tzinfo is None:
        raise ValueError("the datetime must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
