"""The writer's in-memory indexes, so a capture commit runs no lookup query.

Kept per project as plain ``set[str]`` of uuids (one hash of a string per lookup,
no tuple per row), and filled and evicted in per-hour chunks built by Arrow's
group-by, so the Python work per committed row is a set lookup and a set insert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["DEDUPE_SLACK", "LiveGroup", "WriterCaches", "single_project"]

DEDUPE_SLACK = timedelta(days=1)

_HOUR_US = 3_600_000_000
_SLACK_HOURS = int(DEDUPE_SLACK.total_seconds() // 3600)


def single_project(batch: pa.Table) -> str | None:
    """The batch's project if every row has the same one (capture batches do)."""
    col = batch.column("project")
    if len(col) == 0:
        return None
    first = col[0].as_py()
    return str(first) if pc.all(pc.equal(col, first)).as_py() else None


def _hours(batch: pa.Table) -> pa.ChunkedArray:
    return pc.divide(pc.cast(batch.column("timestamp"), pa.int64()), _HOUR_US)


def _hour_range(batch: pa.Table) -> tuple[int, int]:
    """The first and last hour (since the epoch) of a non-empty batch: one Arrow call."""
    low_high = pc.min_max(batch.column("timestamp"))
    low: int = low_high["min"].value
    high: int = low_high["max"].value
    return low // _HOUR_US, high // _HOUR_US


@dataclass(slots=True)
class _Checked:
    """What ``existing`` learnt about a batch, reused by ``remember`` when the commit
    stores that same batch (no duplicates: the usual case), so the uuids are not
    converted to Python twice. Pyarrow calls cost 5-25 us each whatever the size, and
    under single-event load the writer commits a few dozen rows hundreds of times a
    second."""

    batch: pa.Table
    project: str
    hours: tuple[int, int]
    uuids: list[str]


@dataclass(slots=True)
class LiveGroup:
    """A commit group of live capture, checked in plain Python (see ``check_live``):
    one project, recent timestamps, uuids new to the store and to each other.

    ``hours`` holds each event's hour since the epoch; ``new_ids`` maps each
    distinct_id not yet in ``person_distinct_ids`` to its first timestamp (epoch
    microseconds) in the group.
    """

    project: str
    uuids: list[str]
    hours: list[int]
    new_ids: dict[str, int]


@dataclass
class WriterCaches:
    """``ids``: every ``(project, distinct_id)`` in ``person_distinct_ids``.
    ``keys``: per project, the uuids of every event whose timestamp is at or after
    ``floor_hour`` (two dedupe windows back from now); ``chunks`` the same by hour, for
    eviction. A batch whose dedupe window starts at or after ``floor_hour`` is checked
    here only; older (back-filled) rows fall back to the SQL check. Memory: about 100
    bytes per recent event and per distinct_id.
    """

    ids: set[tuple[str, str]]
    floor_hour: int
    keys: dict[str, set[str]] = field(default_factory=dict)
    chunks: dict[int, list[tuple[str, list[str]]]] = field(default_factory=dict)
    _checked: _Checked | None = None

    @staticmethod
    def _floor_hour() -> int:
        now = datetime.now(UTC) - 2 * DEDUPE_SLACK
        return int(now.timestamp() * 1_000_000) // _HOUR_US

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> WriterCaches:
        floor_hour = cls._floor_hour()
        ids = {
            (str(p), str(d))
            for p, d in con.execute(
                "SELECT project, distinct_id FROM person_distinct_ids"
            ).fetchall()
        }
        caches = cls(ids=ids, floor_hour=floor_hour)
        recent = con.sql(
            """
            SELECT project, CAST(uuid AS VARCHAR) AS uuid, timestamp
            FROM events WHERE timestamp >= to_timestamp(? * 3600)
            """,
            params=[floor_hour],
        ).to_arrow_table()
        caches.remember(recent)
        return caches

    def existing(
        self,
        batch: pa.Table,
        sql_check: Callable[[pa.Table], set[tuple[str, str]]],
    ) -> set[tuple[str, str]]:
        """``(project, uuid)`` of the batch's rows already stored."""
        self._evict()
        self._checked = None
        if batch.num_rows == 0:
            return set()
        project = single_project(batch)
        hours = _hour_range(batch)
        if project is not None and hours[0] - _SLACK_HOURS >= self.floor_hour:
            # The capture case: one comprehension, and what it learnt kept for remember.
            uuids = batch.column("uuid").to_pylist()
            self._checked = _Checked(batch, project, hours, uuids)
            known = self.keys.get(project)
            if not known:
                return set()
            return {(project, u) for u in uuids if u in known}
        found: set[tuple[str, str]] = set()
        old_rows: list[int] = []
        for i, (p, u, hour) in enumerate(
            zip(
                batch.column("project").to_pylist(),
                batch.column("uuid").to_pylist(),
                _hours(batch).to_pylist(),
                strict=True,
            )
        ):
            if hour - _SLACK_HOURS >= self.floor_hour:
                if u in self.keys.get(p, ()):
                    found.add((p, u))
            else:
                old_rows.append(i)
        if old_rows:
            found |= sql_check(batch.take(pa.array(old_rows)))
        return found

    def check_live(
        self, project: str, uuids: list[str], distinct_ids: list[str], micros: list[int]
    ) -> LiveGroup | None:
        """The live-capture case answered from the indexes with no Arrow call at all,
        or None when the group needs the general path (a uuid seen before, in the
        store or twice in the group; a timestamp older than the indexed window).

        Every pyarrow compute call costs 5-25 us whatever its size and gives up the
        GIL, and under single-event load the writer, which must take the GIL back
        from the busy event loop after each, commits a few dozen rows a hundred times
        a second: ``existing`` on a group of 50 rows made about ten such calls.
        """
        self._evict()
        self._checked = None
        hours = [m // _HOUR_US for m in micros]
        if min(hours) - _SLACK_HOURS < self.floor_hour or len(set(uuids)) != len(uuids):
            return None
        known = self.keys.get(project)
        if known and not known.isdisjoint(uuids):
            return None
        new_ids: dict[str, int] = {}
        ids = self.ids
        for d, m in zip(distinct_ids, micros, strict=True):
            if d and (project, d) not in ids and m < new_ids.get(d, m + 1):
                new_ids[d] = m
        return LiveGroup(project, uuids, hours, new_ids)

    def remember_live(self, group: LiveGroup) -> None:
        """Index a committed ``LiveGroup`` (one chunk per hour, as ``remember`` does)."""
        self._checked = None
        first = group.hours[0]
        if all(h == first for h in group.hours):
            self._add(group.project, first, group.uuids)
        else:
            by_hour: dict[int, list[str]] = {}
            for hour, u in zip(group.hours, group.uuids, strict=True):
                by_hour.setdefault(hour, []).append(u)
            for hour, uuids in by_hour.items():
                self._add(group.project, hour, uuids)
        self.ids.update((group.project, d) for d in group.new_ids)

    def remember(self, fresh: pa.Table) -> None:
        """Index the rows of a commit (or of the table at load), one chunk per hour."""
        checked, self._checked = self._checked, None
        if fresh.num_rows == 0:
            return
        if checked is not None and checked.batch is fresh and checked.hours[0] == checked.hours[1]:
            # What existing() just checked, all in one recent hour: no Arrow work at all.
            self._add(checked.project, checked.hours[0], checked.uuids)
            return
        table = pa.table(
            {
                "project": fresh.column("project"),
                "uuid": fresh.column("uuid"),
                "hour": _hours(fresh),
            }
        )
        table = table.filter(pc.greater_equal(table.column("hour"), self.floor_hour))
        if table.num_rows == 0:
            return
        projects = pc.unique(table.column("project")).to_pylist()
        hours = pc.unique(table.column("hour")).to_pylist()
        if len(projects) == 1 and len(hours) <= 4:  # the usual commit: no group-by
            if len(hours) == 1:
                self._add(projects[0], hours[0], table.column("uuid").to_pylist())
                return
            for hour in hours:
                mask = pc.equal(table.column("hour"), hour)
                self._add(projects[0], hour, pc.filter(table.column("uuid"), mask).to_pylist())
            return
        groups = table.group_by(["project", "hour"]).aggregate([("uuid", "list")])
        for project, hour, uuids in zip(
            groups.column("project").to_pylist(),
            groups.column("hour").to_pylist(),
            groups.column("uuid_list").to_pylist(),
            strict=True,
        ):
            self._add(project, hour, uuids)

    def _add(self, project: str, hour: int, uuids: list[str]) -> None:
        self.keys.setdefault(project, set()).update(uuids)
        self.chunks.setdefault(hour, []).append((project, uuids))

    def _evict(self) -> None:
        floor_hour = self._floor_hour()
        if floor_hour <= self.floor_hour:
            return
        for hour in [h for h in self.chunks if h < floor_hour]:
            for project, uuids in self.chunks.pop(hour):
                self.keys[project].difference_update(uuids)
        self.floor_hour = floor_hour
