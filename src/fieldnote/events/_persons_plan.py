"""The capture fast path's persons plan: what one batch needs from persons processing,
worked out with Arrow before the writer's transaction opens (``plan_persons``).

Kept apart from the set-based SQL of ``_persons`` because it is pure Arrow work on the
batch (no connection): which distinct_ids are new, and whether merge or ``$set`` steps
must run at all. ``_persons`` re-exports everything here; import from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["MERGE_EVENTS", "NEW_IDS_SQL", "PERSON_ID_EXPR", "PersonsPlan", "plan_persons"]

#: Events that fold one person into another (PostHog ``identify``/``alias``, Segment's twins).
MERGE_EVENTS = ("$identify", "$create_alias", "$merge_dangerously")

#: A person's id, derived from ``(project, distinct_id)`` so every engine agrees.
PERSON_ID_EXPR = "CAST(md5({p} || chr(0) || {d}) AS UUID)"


@dataclass(frozen=True, slots=True)
class PersonsPlan:
    """What one capture batch needs from persons processing, worked out vectorised
    before the transaction so the commit itself runs as few statements as possible.

    ``new_ids`` (``project, distinct_id, first_seen``, registered as ``_fn_new_ids``
    and inserted by ``NEW_IDS_SQL``) holds the distinct_ids never seen before; merge
    and ``$set`` processing run only when the batch holds such events.
    """

    new_ids: pa.Table | None
    has_merge: bool
    has_set: bool

    def new_keys(self) -> list[tuple[str, str]]:
        if self.new_ids is None:
            return []
        return list(
            zip(
                self.new_ids.column("project").to_pylist(),
                self.new_ids.column("distinct_id").to_pylist(),
                strict=True,
            )
        )


_PERSON = PERSON_ID_EXPR.format(p="project", d="distinct_id")

#: Adds the plan's new distinct_ids (registered as ``_fn_new_ids``) and their persons.
NEW_IDS_SQL = f"""
INSERT INTO person_distinct_ids SELECT project, distinct_id, {_PERSON} FROM _fn_new_ids;
INSERT INTO persons SELECT project, {_PERSON}, '{{}}', first_seen FROM _fn_new_ids;
"""


@cache
def _merge_names() -> pa.Array:
    """Built on first use: ``pa.array`` imports pandas (~0.35 s), which importing
    ``fieldnote.events`` (every CLI call) need not pay."""
    return pa.array(MERGE_EVENTS, pa.string())


def plan_persons(batch: pa.Table, known_ids: set[tuple[str, str]]) -> PersonsPlan:
    """The persons work for ``batch``, given the keys of ``person_distinct_ids``.

    Per-row work is done by Arrow (group by, min, substring search); Python touches
    only the distinct ``(project, distinct_id)`` pairs and the rare merge events.
    """
    ids = pa.table(
        {
            "project": batch.column("project"),
            "distinct_id": batch.column("distinct_id"),
            # Epoch microseconds: tz-aware datetimes would cost ~4 us a row to build.
            "ts": pc.cast(batch.column("timestamp"), pa.int64()),
        }
    )
    merging = pc.is_in(batch.column("event"), value_set=_merge_names())
    has_merge = bool(pc.any(merging).as_py())
    if has_merge:
        merges = batch.filter(merging)
        extra: dict[str, list[Any]] = {"project": [], "distinct_id": [], "ts": []}
        for project, text, ts in zip(
            merges.column("project").to_pylist(),
            merges.column("properties").to_pylist(),
            pc.cast(merges.column("timestamp"), pa.int64()).to_pylist(),
            strict=True,
        ):
            parsed = orjson.loads(text)
            other = parsed.get("$anon_distinct_id") or parsed.get("alias")
            if isinstance(other, str) and other:
                extra["project"].append(project)
                extra["distinct_id"].append(other)
                extra["ts"].append(ts)
        ids = pa.concat_tables([ids, pa.table(extra, schema=ids.schema)])
    has_set = bool(pc.any(pc.match_substring(batch.column("properties"), '"$set')).as_py())
    return PersonsPlan(new_ids=_new_ids(ids, known_ids), has_merge=has_merge, has_set=has_set)


def _new_ids(ids: pa.Table, known_ids: set[tuple[str, str]]) -> pa.Table | None:
    """``project, distinct_id, first_seen`` of the ids not in ``known_ids``.

    The usual batch has one project and only known ids: that is answered from the
    distinct ids alone (no group-by, which costs more than the rest of the plan).
    """
    projects = pc.unique(ids.column("project")).to_pylist()
    if len(projects) == 1:
        project = projects[0]
        unseen = [
            d
            for d in pc.unique(ids.column("distinct_id")).to_pylist()
            if d and (project, d) not in known_ids
        ]
        if not unseen:
            return None
        ids = ids.filter(pc.is_in(ids.column("distinct_id"), value_set=pa.array(unseen)))
    seen = ids.group_by(["project", "distinct_id"]).aggregate([("ts", "min")])
    mask = [
        bool(d) and (p, d) not in known_ids
        for p, d in zip(
            seen.column("project").to_pylist(), seen.column("distinct_id").to_pylist(), strict=True
        )
    ]
    if not any(mask):
        return None
    fresh = seen.filter(pa.array(mask, pa.bool_()))
    return pa.table(
        {
            "project": fresh.column("project"),
            "distinct_id": fresh.column("distinct_id"),
            "first_seen": pc.cast(fresh.column("ts_min"), pa.timestamp("us", tz="UTC")),
        }
    )
