"""Reading one field of a question: dates, durations, intervals, with the field named.

A page shows an error next to the control that caused it, and the CLI and the API
name the option or parameter; so every failure here is a ``QueryError`` carrying the
field's name (as the URL and the API spell it) besides the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from fieldnote.analytics._time import DateRange, parse_date, parse_duration

__all__ = ["Pairs", "QueryError", "date_range", "duration", "flag", "multi", "single"]

Pairs = Iterable[tuple[str, str]]
"""A query string as (name, value) pairs, repeats kept in order (Starlette's
``multi_items()``, ``urllib.parse.parse_qsl``)."""


class QueryError(ValueError):
    """A field that cannot be read; ``field`` is its name in the URL / API."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def multi(pairs: Pairs) -> dict[str, list[str]]:
    """Pairs to name → values in order (blank values kept: form rows align by index)."""
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def single(values: dict[str, list[str]], key: str, default: str | None = None) -> str | None:
    """The last non-blank value of ``key`` (a later one overrides), else ``default``."""
    found = [v.strip() for v in values.get(key, ()) if v.strip()]
    return found[-1] if found else default


def flag(values: dict[str, list[str]], key: str) -> bool:
    """``true``/``1``/``on``/``yes`` (a checked checkbox sends ``on``)."""
    return (single(values, key) or "").lower() in {"1", "true", "on", "yes"}


def duration(field: str, text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise QueryError(field, str(exc)) from None


def _date(field: str, text: str, *, end: bool) -> datetime:
    try:
        return parse_date(text, end=end)
    except ValueError:
        raise QueryError(
            field, f"cannot read date {text!r}: use YYYY-MM-DD (UTC) or an ISO time"
        ) from None


def date_range(date_from: str | None, date_to: str | None) -> DateRange:
    """``from``..``to``, both days included (``to`` a date means its whole day)."""
    start = _date("from", date_from, end=False) if date_from else None
    end = _date("to", date_to, end=True) if date_to else None
    try:
        return DateRange(start=start, end=end)
    except ValueError:
        raise QueryError("to", f"'to' ({date_to}) is before 'from' ({date_from})") from None
