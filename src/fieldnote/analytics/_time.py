"""Durations (``14d``) and date ranges (``2026-01-01..2026-01-31``) as the CLI writes them.

Dates are UTC calendar days and ranges include both ends, so ``--from 2026-01-01
--to 2026-01-31`` is the whole of January; internally a range is half-open
``[start, end)`` so consecutive ranges never share an instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

__all__ = ["DateRange", "format_duration", "parse_date", "parse_duration", "parse_range"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``12h``, ``14d``, ``2w`` (or a bare number of seconds)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text.lower())
    if m is None:
        raise ValueError(f"cannot read duration {text!r}: use e.g. 90s, 30m, 12h, 14d, 2w")
    seconds = float(m.group(1)) * _UNITS[m.group(2) or "s"]
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be positive")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_date(text: str, *, end: bool = False) -> datetime:
    """A date (``2026-01-31``) or ISO datetime, in UTC. ``end=True`` makes a date inclusive
    by returning the start of the next day."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1) if end else start
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DateRange:
    """Half-open ``[start, end)`` in UTC; either side may be open (None)."""

    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValueError(
                f"empty date range: {self.start.isoformat()} to {self.end.isoformat()}"
            )

    def contains(self, ts: datetime) -> bool:
        return (self.start is None or ts >= self.start) and (self.end is None or ts < self.end)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | None] | None) -> DateRange:
        data = data or {}
        start, end = data.get("from"), data.get("to")
        return cls(start=parse_date(start) if start else None, end=parse_date(end) if end else None)


def parse_range(text: str) -> DateRange:
    """``2026-01-01..2026-01-31`` (both days included) or ``FROM..`` / ``..TO``."""
    if ".." not in text:
        raise ValueError(f"cannot read range {text!r}: use FROM..TO, e.g. 2026-01-01..2026-01-31")
    lo, hi = text.split("..", 1)
    return DateRange(
        start=parse_date(lo) if lo.strip() else None,
        end=parse_date(hi, end=True) if hi.strip() else None,
    )
