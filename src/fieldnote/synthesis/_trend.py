"""Themes over time and per segment: which share of people raised each theme.

A theme that 40 % of this week's participants raise matters differently from one that
40 % raised two months ago, and "mostly mobile" changes who to talk to next. Each cell
is one theme in one group (an ISO week, or one value of a participant attribute such
as platform, persona or tier): the participants of that group who have at least one
note in the theme, over the participants of that group who have any note at all, with
a 95 % Wilson interval, plus the same for notes. A group of fewer than ``min_n``
participants is flagged ``small_sample``: a share of 2 out of 3 people is an anecdote.

Notes without a participant count as their own person (as synthesis counts them).
Notes whose week or attribute is unknown fall into the group ``(unknown)`` rather
than vanishing, so the totals always add up to the book.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fieldnote.analytics._stats import wilson_interval
from fieldnote.synthesis._tabular import TableError, _decode, _rows_csv, _rows_jsonl

__all__ = [
    "UNKNOWN",
    "ThemeTrend",
    "TrendCell",
    "TrendInput",
    "TrendNote",
    "read_people",
    "theme_trend",
]

UNKNOWN = "(unknown)"
WEEK = "week"
DEFAULT_MIN_N = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendNote:
    """One note as the trend needs it: its theme, its person and when it was recorded."""

    note: str
    theme: str | None
    participant: str | None
    recorded_at: datetime | None = None

    @property
    def person(self) -> str:
        return self.participant or f"note:{self.note}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendInput:
    notes: Sequence[TrendNote]
    themes: Mapping[str, str]
    """Theme id → label, in display order."""
    attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Participant → attribute name → value (platform, persona, tier ...)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendCell:
    theme: str
    group: str
    participants: int
    """People in the group with at least one note in the theme."""
    group_participants: int
    """People in the group with any note (the n of the share)."""
    participant_share: float | None
    low: float | None
    high: float | None
    notes: int
    group_notes: int
    note_share: float | None
    small_sample: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeTrend:
    by: str
    groups: list[str]
    themes: dict[str, str]
    cells: list[TrendCell]
    min_n: int
    attributes: list[str]
    """Attribute names the book's participants carry (what ``by`` may be besides week)."""

    def cell(self, theme: str, group: str) -> TrendCell:
        return next(c for c in self.cells if c.theme == theme and c.group == group)

    def to_dict(self) -> dict[str, object]:
        return {
            "by": self.by,
            "min_n": self.min_n,
            "groups": self.groups,
            "attributes": self.attributes,
            "themes": [{"id": k, "label": v} for k, v in self.themes.items()],
            "cells": [
                {
                    "theme": c.theme,
                    "group": c.group,
                    "participants": c.participants,
                    "n": c.group_participants,
                    "participant_share": c.participant_share,
                    "interval": None if c.low is None else [c.low, c.high],
                    "notes": c.notes,
                    "group_notes": c.group_notes,
                    "note_share": c.note_share,
                    "small_sample": c.small_sample,
                }
                for c in self.cells
            ],
        }


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _group_of(data: TrendInput, by: str, note: TrendNote) -> str:
    if by == WEEK:
        return iso_week(note.recorded_at) if note.recorded_at is not None else UNKNOWN
    if note.participant is None:
        return UNKNOWN
    return data.attributes.get(note.participant, {}).get(by) or UNKNOWN


def available_attributes(data: TrendInput) -> list[str]:
    return sorted({k for attrs in data.attributes.values() for k in attrs})


def theme_trend(data: TrendInput, by: str, *, min_n: int = DEFAULT_MIN_N) -> ThemeTrend:
    """Share of participants and notes per theme per group; ValueError for an unknown ``by``."""
    names = available_attributes(data)
    if by != WEEK and by not in names:
        known = ", ".join([WEEK, *names])
        raise ValueError(f"--by {by!r}: this book's participants carry no such attribute ({known})")
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    people: dict[str, set[str]] = {}
    notes: dict[str, int] = {}
    in_theme: dict[tuple[str, str], set[str]] = {}
    theme_notes: dict[tuple[str, str], int] = {}
    for note in data.notes:
        g = _group_of(data, by, note)
        people.setdefault(g, set()).add(note.person)
        notes[g] = notes.get(g, 0) + 1
        if note.theme is not None:
            in_theme.setdefault((note.theme, g), set()).add(note.person)
            theme_notes[(note.theme, g)] = theme_notes.get((note.theme, g), 0) + 1
    groups = sorted(people, key=lambda g: (g == UNKNOWN, g))
    cells: list[TrendCell] = []
    for theme in data.themes:
        for g in groups:
            k, n = len(in_theme.get((theme, g), ())), len(people[g])
            interval = wilson_interval(k, n)
            cells.append(
                TrendCell(
                    theme=theme,
                    group=g,
                    participants=k,
                    group_participants=n,
                    participant_share=k / n if n else None,
                    low=interval.low if interval else None,
                    high=interval.high if interval else None,
                    notes=theme_notes.get((theme, g), 0),
                    group_notes=notes[g],
                    note_share=theme_notes.get((theme, g), 0) / notes[g] if notes[g] else None,
                    small_sample=n < min_n,
                )
            )
    return ThemeTrend(
        by=by, groups=groups, themes=dict(data.themes), cells=cells, min_n=min_n, attributes=names
    )


def read_people(path: Path, participant_column: str = "participant") -> dict[str, dict[str, str]]:
    """Participant attributes from a CSV/JSONL file: one row per participant, every other
    non-empty column an attribute (``platform``, ``persona``, ``tier`` ...)."""
    content = _decode(path)
    if not content.strip():
        raise TableError(f"{path}: the file is empty")
    jsonl = path.suffix.lower() in {".jsonl", ".ndjson", ".json"}
    rows = _rows_jsonl(path, content) if jsonl else _rows_csv(content)
    if not rows or all(participant_column not in r for _, r in rows):
        columns = sorted({k for _, r in rows for k in r if k is not None})
        raise TableError(
            f"{path}: no participant column {participant_column!r}; "
            f"columns are: {', '.join(columns) or 'none'}"
        )
    people: dict[str, dict[str, str]] = {}
    seen: dict[str, int] = {}
    for number, row in rows:
        who = str(row.get(participant_column) or "").strip()
        if not who:
            raise TableError(f"{path}: line {number}: column {participant_column!r} is empty")
        if who in seen:
            raise TableError(f"{path}: line {number}: participant {who!r} repeats line {seen[who]}")
        seen[who] = number
        people[who] = {
            str(k): str(v).strip()
            for k, v in row.items()
            if k is not None and k != participant_column and v not in (None, "")
        }
    return people
