"""``ShapeBuilder``: the SQL for each Event field, as an export shape fills it in.

The shapes (``_shapes``, ``_segment``) only say which columns mean what; this class
turns that into expressions over a ``Source`` (``--map`` entries always win), checks
that the required fields were found, and assembles the properties: the row's own,
with the shape's derived keys added the way capture adds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldnote.events.importing._request import ImportInputError
from fieldnote.events.importing._source import Source
from fieldnote.events.importing._sql import lit

__all__ = [
    "EMPTY_OBJECT",
    "Mapped",
    "ShapeBuilder",
    "coalesce_sql",
    "column_list",
    "json_path",
    "origin_of",
    "to_json_sql",
]

EMPTY_OBJECT = "'{}'::JSON"


@dataclass(frozen=True, kw_only=True)
class Mapped:
    """SQL expressions for each field of an Event.

    ``properties_base`` is over the source relation: the row's own properties, or
    NULL when they are not a JSON object (the row is then rejected).
    ``properties`` is over the source plus ``_pb`` (the base): the base with the
    shape's derived keys added. ``checks`` are shape rules (SQL condition, message
    SQL) a row must pass; ``*_raw`` are original texts and ``origin`` the columns
    each field came from, both for error messages.
    """

    shape: str
    uuid: str
    distinct_id: str
    event: str
    timestamp: str
    timestamp_raw: str
    properties_base: str
    properties: str
    properties_raw: str
    record_problem: str | None
    checks: list[tuple[str, str]] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)


def column_list(columns: Mapping[str, str], limit: int = 30) -> str:
    names = list(columns)
    text = ", ".join(names[:limit])
    return text + (f", … ({len(names)} in all)" if len(names) > limit else "")


def origin_of(cols: list[str]) -> str:
    if len(cols) == 1:
        return f"column {cols[0]!r}"
    return "columns " + ", ".join(repr(c) for c in cols)


def json_path(key: str) -> str:
    return lit('$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"')


def to_json_sql(text_sql: str | None) -> str:
    return f"to_json({text_sql})" if text_sql else ""


def coalesce_sql(exprs: list[str]) -> str | None:
    exprs = [e for e in exprs if e]
    if not exprs:
        return None
    return exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})"


class ShapeBuilder:
    """Accumulates the SQL for each field; ``--map`` entries always win.

    Derived properties come in two kinds, as in capture: ``override`` keys replace
    the row's own (the message's type decides them), ``fill`` keys only fill gaps
    (context, columns beside the properties).
    """

    def __init__(self, source: Source, field_map: Mapping[str, str]) -> None:
        self.s = source
        self.map = dict(field_map)
        self.uuid = "NULL::VARCHAR"
        self.distinct_id: str | None = None
        self.event: str | None = None
        self.ts: tuple[str, str] | None = None
        self.base: tuple[str, str] = (EMPTY_OBJECT, "NULL::VARCHAR")
        self.override: list[tuple[str, str]] = []
        self.fill: list[tuple[str, str]] = []
        self.person_sets: dict[str, list[str]] = {}  # $set / $set_once sources, weakest first
        self.checks: list[tuple[str, str]] = []
        self.used: set[str] = set()
        self.origin: dict[str, str] = {}
        self.leftovers = False

    # -- helpers -----------------------------------------------------------------------

    def col(self, *names: str) -> str | None:
        found = self.s.find(*names)
        if found is not None:
            self.used.add(found)
        return found

    def text_of(self, *names: str) -> tuple[str, list[str]] | None:
        """coalesce() of the text of whichever of ``names`` exist."""
        cols = list(dict.fromkeys(c for c in (self.col(n) for n in names) if c is not None))
        expr = coalesce_sql([self.s.text(c) for c in cols])
        return (expr, cols) if expr else None

    def set_text(self, name: str, *candidates: str) -> None:
        found = self.text_of(*candidates)
        if found is None:
            return
        expr, cols = found
        self.origin[name] = origin_of(cols)
        setattr(self, name, expr)

    def set_timestamp(self, *names: str) -> None:
        cols = list(dict.fromkeys(c for c in (self.col(n) for n in names) if c is not None))
        if not cols:
            return
        parsed = [self.s.timestamp(c) for c in cols]
        ts, raw = coalesce_sql([p[0] for p in parsed]), coalesce_sql([p[1] for p in parsed])
        assert ts is not None and raw is not None
        self.ts = (ts, raw)
        self.origin["timestamp"] = origin_of(cols)

    def set_properties(self, *names: str) -> bool:
        c = self.col(*names)
        if c is None:
            return False
        self.base = self.s.object(c)
        self.origin["properties"] = origin_of([c])
        return True

    def person_set(self, key: str, *names: str) -> None:
        """A column of person properties merged into ``$set`` (the row's own win)."""
        c = self.col(*names)
        if c is not None:
            self.person_sets.setdefault(key, []).append(self.s.json(c))

    # -- result ------------------------------------------------------------------------

    def _apply_map(self) -> None:
        s = self.s
        for name, column in self.map.items():
            self.used.add(column)
            self.origin[name] = origin_of([column])
            if name == "timestamp":
                self.ts = s.timestamp(column)
            elif name == "properties":
                self.base = s.object(column)
            elif name == "person_properties":
                self.person_sets["$set"] = [s.json(column)]
            else:
                setattr(self, name, s.text(column))

    def build(self, shape: str) -> Mapped:
        s = self.s
        self._apply_map()
        missing = [
            name
            for name, value in (
                ("distinct_id", self.distinct_id),
                ("event", self.event),
                ("timestamp", self.ts),
            )
            if value is None
        ]
        if missing:
            hint = ",".join(f"{name}=COLUMN" for name in missing)
            names = " and ".join(
                [", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing
            )
            raise ImportInputError(
                f"cannot tell which column holds {names} in {s.path.name} "
                f"(columns: {column_list(s.columns)}); pass --map {hint}"
            )
        assert self.distinct_id is not None and self.event is not None and self.ts is not None
        if self.leftovers:
            self.base = self._leftover_properties()
        return Mapped(
            shape=shape,
            uuid=self.uuid,
            distinct_id=self.distinct_id,
            event=self.event,
            timestamp=self.ts[0],
            timestamp_raw=self.ts[1],
            properties_base=self.base[0],
            properties=self._final_properties(),
            properties_raw=self.base[1],
            record_problem=s.record_problem(),
            checks=self.checks,
            origin=self.origin,
        )

    def _final_properties(self) -> str:
        """``_pb`` with derived keys: fills where the row has no such key, then overrides.

        ``json_merge_patch('{}', x)`` drops null members first: in a merge patch a
        null deletes the key, and a missing context value must not delete anything.
        """
        override = list(self.override)
        for key, sources in self.person_sets.items():
            merged = "'{}'::JSON"
            for src in sources:
                merged = (
                    f"json_merge_patch({merged}, CASE WHEN json_type({src}) = 'OBJECT' "
                    f"THEN {src} ELSE '{{}}' END)"
                )
            own = f"json_extract(_pb, {json_path(key)})"
            value = (
                f"json_merge_patch({merged}, CASE WHEN json_type({own}) = 'OBJECT' "
                f"THEN {own} ELSE '{{}}' END)"
            )
            override.append((key, f"CASE WHEN {value} <> '{{}}' THEN {value} END"))
        fills: dict[str, list[str]] = {}
        for key, value in self.fill:
            fills.setdefault(key, []).append(value)
        if not override and not fills:
            return "_pb"
        out = "_pb"
        if fills:
            members = ", ".join(
                f"{lit(key)}, CASE WHEN json_exists(_pb, {json_path(key)}) THEN NULL "
                f"ELSE {coalesce_sql(values)} END"
                for key, values in fills.items()
            )
            out = f"json_merge_patch({out}, json_merge_patch('{{}}', json_object({members})))"
        if override:
            members = ", ".join(f"{lit(key)}, {value}" for key, value in override)
            out = f"json_merge_patch({out}, json_merge_patch('{{}}', json_object({members})))"
        return f"CASE WHEN _pb IS NOT NULL THEN {out} END"

    def _leftover_properties(self) -> tuple[str, str]:
        """A file of no known shape without a properties column: other columns are properties."""
        s = self.s
        if s.format == "jsonl":
            drop = ", ".join(f"{lit(c)}, NULL" for c in sorted(self.used))
            expr = f"json_merge_patch(_rec, json_object({drop}))" if drop else "_rec"
            return expr, "CAST(_rec AS VARCHAR)"
        rest = [c for c in s.columns if c not in self.used]
        if not rest:
            return EMPTY_OBJECT, "NULL::VARCHAR"
        values = ", ".join(
            f"{lit(c)}, {s.text(c) if s.format == 'csv' else s.json(c)}" for c in rest
        )
        return f"json_merge_patch('{{}}', json_object({values}))", "NULL::VARCHAR"
