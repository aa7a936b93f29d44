"""The SQL for one file: its rows normalised and judged (``Plan``), and how they are
inserted and marked (``Stamps``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fieldnote.events._persons import MERGE_EVENTS
from fieldnote.events.importing._builder import Mapped
from fieldnote.events.importing._shapes import stable_uuid_sql
from fieldnote.events.importing._source import Source
from fieldnote.events.importing._sql import lit, quoted, ts_lit

__all__ = ["Plan", "Stamps"]


@dataclass(frozen=True, kw_only=True)
class Plan:
    """One file, mapped: SQL for its normalised rows, why rows are rejected, their ids."""

    source: Source
    mapped: Mapped
    project: str
    oldest: datetime
    newest: datetime
    tolerance: timedelta

    def rows(self, *, check_properties: bool, reasons: bool = False, guard: bool = True) -> str:
        """The file as normalised rows: the fields, ``_ok`` and ``_uuid``.

        ``_ok`` is a plain conjunction (cheap on millions of rows); with ``reasons``
        there is also ``_reason``, why a row is rejected (NULL exactly when ``_ok``),
        for the error listing. Each level passes the source columns through (DuckDB
        prunes the unused ones), so the original texts quoted in error messages are
        only computed in the ``CASE`` branches of rejected rows. Without
        ``check_properties`` the properties are not read at all (a cheap first pass).
        """
        m = self.mapped
        relation = self.source.relation()
        if check_properties:
            relation = f"(SELECT *, {m.properties_base} AS _pb FROM {relation})"
        props = m.properties if check_properties else "NULL::JSON"
        inner = (
            f"SELECT *, {m.uuid} AS _u, {m.distinct_id} AS _d, {m.event} AS _e, "
            f"{m.timestamp} AS _ts, {props} AS _p, "
            f"{m.record_problem or 'NULL::VARCHAR'} AS _rp "
            f"FROM {relation}"
        )
        reason = f", {self._reason(check_properties)} AS _reason" if reasons else ""
        return (
            f"SELECT _u, _d, _e, _ts, _p, {self._ok(check_properties, guard)} AS _ok{reason}, "
            f"{self._uuid()} AS _uuid FROM ({inner})"
        )

    def _ok(self, check_properties: bool, guard: bool = True) -> str:
        terms = [
            "_rp IS NULL",
            *(f"NOT coalesce({condition}, false)" for condition, _ in self.mapped.checks),
            "_e IS NOT NULL",
            "_d IS NOT NULL",
            f"_ts BETWEEN {ts_lit(self.oldest)} AND {ts_lit(self.newest)}",
        ]
        if check_properties:
            terms.append("_p IS NOT NULL")
        # ``random() >= 0`` is always true but volatile, which stops DuckDB from pushing
        # ``WHERE _ok`` below the projections by inlining their expressions: the JSON
        # parse of the properties (and the timestamp parse...) would then run twice per
        # row, once in the filter and once for the inserted value (~30% more CPU).
        # Without a filter on ``_ok`` (the one-pass insert) there is nothing to push.
        ok = "coalesce(" + " AND ".join(terms) + ", false)"
        return f"({ok} AND random() >= 0)" if guard else f"({ok})"

    def origin_of(self, name: str) -> str:
        origin = self.mapped.origin.get(name)
        return f" ({origin})" if origin and origin != f"column {name!r}" else ""

    def _reason(self, check_properties: bool) -> str:
        tol_hours = self.tolerance.total_seconds() / 3600
        raw_ts = self.mapped.timestamp_raw
        ts, props = quoted(raw_ts), quoted(self.mapped.properties_raw)
        whens = [
            "WHEN _rp IS NOT NULL THEN _rp",
            *(f"WHEN {condition} THEN {message}" for condition, message in self.mapped.checks),
            f"WHEN _e IS NULL THEN {lit('event is missing' + self.origin_of('event'))}",
            f"WHEN _d IS NULL THEN {lit('distinct_id is missing' + self.origin_of('distinct_id'))}",
            f"WHEN _ts IS NULL AND {raw_ts} IS NULL "
            f"THEN {lit('timestamp is missing' + self.origin_of('timestamp'))}",
            f"WHEN _ts IS NULL THEN 'timestamp ' || {ts} || ' is not a timestamp'",
            f"WHEN _ts < {ts_lit(self.oldest)} THEN 'timestamp ' || {ts} || "
            f"{lit(f' is before {self.oldest:%Y-%m-%d} (absurd)')}",
            f"WHEN _ts > {ts_lit(self.newest)} THEN 'timestamp ' || {ts} || "
            f"{lit(f' is more than {tol_hours:g} h in the future')}",
        ]
        if check_properties:
            origin = self.origin_of("properties")
            whens.append(
                f"WHEN _p IS NULL THEN 'properties ' || {props} || "
                f"{lit(' are not a JSON object' + origin)}"
            )
        return "CASE " + " ".join(whens) + " END"

    def _uuid(self) -> str:
        """The id as given when it is a UUID; else a non-UUID id hashed as capture
        hashes it; else (no id) one derived from the row's content.

        The usual case is the bare ``TRY_CAST``: ``coalesce`` only evaluates the
        fallback ``CASE`` on the rows left NULL (a ``CASE`` around everything cost ~4 %
        of the insert's CPU, docs/performance.md).
        """
        return (
            "coalesce(TRY_CAST(_u AS UUID), CASE WHEN _u IS NOT NULL "
            f"THEN {stable_uuid_sql(self.project, '_u')} "
            f"ELSE CAST(md5(concat_ws('|', {lit(self.project)}, _d, _e, "
            "CAST(epoch_us(_ts) AS VARCHAR), CAST(_p AS VARCHAR))) AS UUID) END)"
        )


@dataclass(frozen=True)
class Stamps:
    """This import's ``inserted_at`` values: the transaction's start time for most rows,
    1 us later for the rows persons must look at (merge events, ``$set``...), 2 us
    later for the stand-ins of rejected rows (one-pass import, deleted at once).

    Marking those rows while they are being inserted (their properties are in memory
    then) spares a scan of every imported row's properties afterwards; both values
    together select exactly this import's rows, and no other transaction can commit
    with either (there is one writer).
    """

    plain: datetime

    @property
    def persons(self) -> datetime:
        return self.plain + timedelta(microseconds=1)

    @property
    def rejected(self) -> datetime:
        return self.plain + timedelta(microseconds=2)

    def new_rows(self, project: str) -> str:
        return (
            f"project = {lit(project)} AND inserted_at IN "
            f"({ts_lit(self.plain)}, {ts_lit(self.persons)})"
        )

    def _mark(self) -> str:
        # ``$set`` without its leading quote: DuckDB's ``contains`` memchr()s to the
        # needle's first byte and then compares byte by byte, and a JSON object is full
        # of quotes but has few dollars (~0.1 s per million rows less). It also matches
        # ``$set_once`` and, harmlessly, keys like ``$settings`` (persons then look at
        # a few more rows).
        merges = ", ".join(lit(e) for e in MERGE_EVENTS)
        return (
            f"WHEN _e IN ({merges}) OR contains(_p, '$set') THEN {ts_lit(self.persons)} "
            f"ELSE {ts_lit(self.plain)}"
        )

    def insert_sql(self, rows: str, where: str) -> str:
        """Insert the rows of ``rows`` that pass ``where``."""
        return f"""
            INSERT INTO events
                (uuid, project, distinct_id, event, timestamp, properties, inserted_at)
            SELECT _uuid, $project, _d, _e, _ts, _p, CASE {self._mark()} END
            FROM ({rows}) s
            WHERE {where}
            """

    def insert_all_sql(self, rows: str) -> str:
        """Insert every row of ``rows``; a rejected one as a stand-in stamped ``rejected``.

        This is what makes one pass over the file enough: the statement's row count is
        the file's, and deleting the stand-ins counts the rejected rows, without a
        second read of the file (for CSV that read is a full parse). The stand-ins'
        ``coalesce``s only satisfy NOT NULL (``_uuid`` is never NULL); no one sees
        them (same transaction).
        """
        return f"""
            INSERT INTO events
                (uuid, project, distinct_id, event, timestamp, properties, inserted_at)
            SELECT _uuid, $project, coalesce(_d, ''), coalesce(_e, ''),
                   coalesce(_ts, TIMESTAMPTZ '1970-01-01 00:00:00+00'), coalesce(_p, '{{}}'),
                   CASE WHEN NOT _ok THEN {ts_lit(self.rejected)} {self._mark()} END
            FROM ({rows}) s
            """
