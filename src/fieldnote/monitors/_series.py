"""A regular time series: timestamps on a fixed step, values with gaps as NaN.

Detectors want a grid (the same phase of the week or day at a fixed offset), while
real inputs skip points (a day with no data, a collector that was down). ``regular``
puts any ``timestamp,value`` sequence on the grid of its most common step and
``season_for`` infers the seasonality that step implies.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["SeriesError", "TimeSeries", "read_csv", "season_for"]

MINUTE = 60
HOUR = 3600
DAY = 86400
WEEK = 7 * DAY
#: A gap longer than this many steps is refused: the grid would be mostly holes.
MAX_GRID_POINTS = 5_000_000


class SeriesError(ValueError):
    """A series that cannot be read or put on a regular grid; the message says why."""


@dataclass(frozen=True)
class TimeSeries:
    """Values on a regular grid: ``start + i * step`` seconds; NaN where missing."""

    start: int
    """Epoch seconds of the first point."""
    step: int
    """Seconds between points."""
    values: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def timestamp(self, index: int) -> datetime:
        return datetime.fromtimestamp(self.start + index * self.step, tz=UTC)

    @classmethod
    def regular(cls, stamps: Sequence[int], values: Sequence[float]) -> TimeSeries:
        """Put (epoch seconds, value) pairs on the grid of their most common step."""
        if len(stamps) != len(values):
            raise SeriesError("timestamps and values differ in length")
        if len(stamps) < 3:
            raise SeriesError(f"a series needs at least 3 points, got {len(stamps)}")
        order = np.argsort(np.asarray(stamps, dtype=np.int64), kind="stable")
        ts = np.asarray(stamps, dtype=np.int64)[order]
        vs = np.asarray(values, dtype=np.float64)[order]
        diffs = np.diff(ts)
        positive = diffs[diffs > 0]
        if positive.size == 0:
            raise SeriesError("all timestamps are equal: no interval to infer")
        steps, counts = np.unique(positive, return_counts=True)
        step = int(steps[np.argmax(counts)])
        size = int((ts[-1] - ts[0]) // step) + 1
        if size > MAX_GRID_POINTS:
            raise SeriesError(
                f"the series spans {size:,} steps of {step}s: too irregular to put on a grid"
            )
        grid = np.full(size, np.nan)
        slots = np.rint((ts - ts[0]) / step).astype(np.int64)
        grid[slots] = vs  # a later duplicate of a slot wins
        return cls(start=int(ts[0]), step=step, values=grid)


def season_for(step: int, points: int) -> int:
    """Points per season implied by the step: minutes → a day; hours → a week when
    there are eight weeks of data (the weekly shape needs three weeks of history and
    its spread two more before a point can be judged), else a day; days → a week;
    coarser → none (1)."""
    if step < HOUR:
        return max(1, DAY // step)
    if step < DAY:
        per_week = WEEK // step
        return per_week if points >= 8 * per_week else max(1, DAY // step)
    if step < WEEK:
        return max(1, WEEK // step)
    return 1


def _parse_time(text: str, line: int, path: Path) -> int:
    raw = text.strip()
    try:
        return int(float(raw)) if raw.replace(".", "", 1).isdigit() else _iso(raw)
    except ValueError:
        raise SeriesError(
            f"{path}:{line}: timestamp {raw!r} is neither ISO 8601 nor epoch seconds"
        ) from None


def _iso(raw: str) -> int:
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def read_csv(path: Path) -> TimeSeries:
    """A ``timestamp,value`` CSV (header required; ISO 8601 or epoch seconds)."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise SeriesError(f"cannot read {path}: {exc.strerror}") from None
    stamps: list[int] = []
    values: list[float] = []
    with handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        if header[:2] != ["timestamp", "value"]:
            raise SeriesError(f"{path}: the header must be 'timestamp,value', got {header}")
        for line, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                raise SeriesError(f"{path}:{line}: expected 'timestamp,value'")
            stamps.append(_parse_time(row[0], line, path))
            value = row[1].strip()
            try:
                values.append(float(value) if value else float("nan"))
            except ValueError:
                raise SeriesError(f"{path}:{line}: value {value!r} is not a number") from None
    return TimeSeries.regular(stamps, values)
