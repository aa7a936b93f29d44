"""An export file as a DuckDB relation, and SQL for each of its fields.

Every format becomes a ``FROM`` clause that DuckDB streams (``read_parquet``,
``read_csv``, ``read_json_objects``), so a file larger than memory is never loaded
whole. A ``Source`` then hands out SQL expressions for "the text in column X", "the
JSON object in column X" or "the timestamp in column X" that hide how each format
stores them (typed Parquet columns, CSV text, JSON values), so the export shapes in
``_shapes`` are written once for all formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fieldnote.events.importing._sql import json_key, lit, quote_ident

__all__ = ["COMPRESSION", "Source", "json_format"]

#: Compression suffixes DuckDB's readers undo by themselves.
COMPRESSION = (".gz", ".zst")

_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_NUMBER_PREFIXES = ("DOUBLE", "FLOAT", "DECIMAL", "REAL")


@dataclass
class Source:
    """One file, readable as a relation, with SQL expressions for its fields.

    ``columns`` maps each top-level column (JSON: each key seen in the first
    ``JSON_SAMPLE_ROWS`` records) to its DuckDB type. For JSON Lines the relation
    has one JSON column per record (``_rec``) and a struct ``_s`` of the keys the
    mapping uses, parsed once per record with ``from_json``.
    """

    path: Path
    format: str
    columns: dict[str, str]
    #: CSV only: ``read_csv`` options (delimiter from the header line, all text).
    csv_options: str = "header = true, all_varchar = true"
    #: JSON Lines only: top-level keys the mapping reads (filled as expressions are built).
    _json_keys: list[str] = field(default_factory=list)

    # -- the relation ------------------------------------------------------------------

    def relation(self) -> str:
        """A ``FROM`` item yielding one row per record of the file, in file order."""
        p = lit(str(self.path))
        if self.format == "parquet":
            return f"read_parquet({p})"
        if self.format == "csv":
            return f"read_csv({p}, {self.csv_options})"
        keys = self._json_keys or ["_"]
        structure = "{" + ", ".join(f'"{json_key(k)}": "JSON"' for k in keys) + "}"
        return (
            f"(SELECT json AS _rec, from_json(json, {lit(structure)}) AS _s "
            f"FROM read_json_objects({p}, format = {lit(json_format(self.path))}, "
            "ignore_errors = true))"
        )

    def record_problem(self) -> str | None:
        """SQL giving why a record is unusable as a whole (JSON Lines only), else NULL."""
        if self.format != "jsonl":
            return None
        return (
            "CASE WHEN _rec IS NULL THEN 'not valid JSON' "
            "WHEN json_type(_rec) <> 'OBJECT' THEN 'not a JSON object' END"
        )

    # -- columns -----------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.columns

    def find(self, *candidates: str) -> str | None:
        """The first of ``candidates`` that is a column (exact, then case-insensitive)."""
        for c in candidates:
            if c in self.columns:
                return c
        lower = {k.lower(): k for k in self.columns}
        for c in candidates:
            if c.lower() in lower:
                return lower[c.lower()]
        return None

    def _type(self, name: str) -> str:
        return self.columns.get(name, "JSON" if self.format == "jsonl" else "VARCHAR").upper()

    def _json_value(self, name: str) -> str:
        if name not in self._json_keys:
            self._json_keys.append(name)
        return f"_s.{quote_ident(name)}"

    def text(self, name: str) -> str:
        """The column as text; NULL when absent, JSON null or empty."""
        if self.format == "jsonl":
            return f"NULLIF(json_extract_string({self._json_value(name)}, '$'), '')"
        col = quote_ident(name)
        kind = self._type(name)
        if kind == "VARCHAR":
            return f"NULLIF({col}, '')"
        if kind == "JSON":
            return f"NULLIF(json_extract_string({col}, '$'), '')"
        return f"NULLIF(CAST({col} AS VARCHAR), '')"

    def nested_text(self, path: tuple[str, ...]) -> str | None:
        """Text at a nested path (``context.campaign.source``), whichever way it is stored.

        Exports either keep the object (a JSON column / struct / JSON text) or flatten
        it into ``context.campaign.source`` or ``context_campaign_source`` columns.
        """
        for flat in (".".join(path), "_".join(path)):
            found = self.find(flat) if len(path) > 1 else None
            if found is not None:
                return self.text(found)
        top = self.find(path[0]) if self.format != "jsonl" else path[0]
        if top is None:
            return None
        if len(path) == 1:
            return self.text(top)
        inner = "$." + ".".join(f'"{json_key(p)}"' for p in path[1:])
        return f"NULLIF(json_extract_string({self.json(top)}, {lit(inner)}), '')"

    def value(self, name: str) -> str:
        """The column as a JSON value keeping its type where the format has types
        (JSON, Parquet; CSV gives strings); NULL when absent, null or empty."""
        if self.format == "csv":
            return f"to_json({self.text(name)})"
        if self.format != "jsonl" and self._type(name) not in ("JSON", "VARCHAR"):
            return f"to_json({quote_ident(name)})"
        if self.format != "jsonl" and self._type(name) == "VARCHAR":
            return f"to_json({self.text(name)})"
        return _present(self.json(name))

    def nested_value(self, path: tuple[str, ...]) -> str | None:
        """Like ``nested_text`` but a JSON value, keeping numbers and booleans as such."""
        for flat in (".".join(path), "_".join(path)):
            found = self.find(flat) if len(path) > 1 else None
            if found is not None:
                return self.value(found)
        top = self.find(path[0]) if self.format != "jsonl" else path[0]
        if top is None:
            return None
        if len(path) == 1:
            return self.value(top)
        inner = "$." + ".".join(f'"{json_key(p)}"' for p in path[1:])
        return _present(f"json_extract({self.json(top)}, {lit(inner)})")

    def json(self, name: str) -> str:
        """The column as a JSON value (any JSON type); NULL when absent or not JSON."""
        if self.format == "jsonl":
            return self._json_value(name)
        col = quote_ident(name)
        kind = self._type(name)
        if kind == "JSON":
            return col
        if kind == "VARCHAR":
            return f"TRY_CAST(NULLIF({col}, '') AS JSON)"
        return f"to_json({col})"

    def object(self, name: str) -> tuple[str, str]:
        """(SQL for the column as a JSON object or NULL when it is not one, SQL for its text).

        A missing value is the empty object. Text columns are checked by their first
        character before the JSON parse DuckDB does anyway (cheaper than ``json_type``
        on every row); JSON values that are strings holding JSON (double-encoded
        exports) are decoded.
        """
        if self.format == "jsonl" or self._type(name) == "JSON":
            v = self.json(name)
            inner = f"TRY_CAST(json_extract_string({v}, '$') AS JSON)"
            expr = (
                f"CASE WHEN {v} IS NULL OR json_type({v}) = 'NULL' THEN '{{}}'::JSON "
                f"WHEN json_type({v}) = 'OBJECT' THEN {v} "
                f"WHEN json_type({v}) = 'VARCHAR' AND json_type({inner}) = 'OBJECT' "
                f"THEN {inner} END"
            )
            return expr, f"CAST({v} AS VARCHAR)"
        col = quote_ident(name)
        kind = self._type(name)
        if kind == "VARCHAR":
            # The usual case first: DuckDB tries each WHEN only on the rows left over.
            expr = (
                f"CASE WHEN starts_with({col}, '{{') THEN TRY_CAST({col} AS JSON) "
                f"WHEN {col} IS NULL OR {col} = '' THEN '{{}}'::JSON "
                f"WHEN starts_with(ltrim({col}), '{{') THEN TRY_CAST({col} AS JSON) END"
            )
            return expr, col
        if kind.startswith(("STRUCT", "MAP")):
            return f"coalesce(to_json({col}), '{{}}'::JSON)", f"CAST({col} AS VARCHAR)"
        return "NULL::JSON", f"CAST({col} AS VARCHAR)"

    def timestamp(self, name: str) -> tuple[str, str]:
        """(SQL for the column as TIMESTAMPTZ, NULL when unparsable; SQL for its text).

        Text is parsed as ISO 8601 (a missing zone means UTC: the importer runs with
        ``TimeZone = 'UTC'``) or as a Unix epoch in s, ms or us, told apart by size.
        """
        raw = self.text(name)
        kind = self._type(name)
        if self.format != "jsonl" and kind not in ("VARCHAR", "JSON"):
            col = quote_ident(name)
            if kind in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
                return col, raw
            if kind.startswith(("TIMESTAMP", "DATE")):
                return f"CAST({col} AS TIMESTAMPTZ)", raw
            if kind in _INTEGER_TYPES:
                return _epoch(f"CAST({col} AS HUGEINT)"), raw
            if kind.startswith(_NUMBER_PREFIXES):
                return _epoch(f"CAST({col} AS DOUBLE)"), raw
            return "NULL::TIMESTAMPTZ", raw
        epoch = (
            f"CASE WHEN regexp_full_match({raw}, '[0-9]{{9,19}}') "
            f"THEN {_epoch(f'CAST({raw} AS HUGEINT)')} "
            f"WHEN regexp_full_match({raw}, '[0-9]{{9,16}}\\.[0-9]*') "
            f"THEN {_epoch(f'CAST({raw} AS DOUBLE)')} END"
        )
        return f"coalesce(TRY_CAST({raw} AS TIMESTAMPTZ), {epoch})", raw


def _epoch(v: str) -> str:
    """Seconds, milliseconds or microseconds since 1970, told apart by magnitude."""
    return (
        f"CASE WHEN {v} >= 100000000000000 "
        f"THEN TRY_CAST(make_timestamp(CAST({v} AS BIGINT)) AS TIMESTAMPTZ) "
        f"WHEN {v} >= 100000000000 "
        f"THEN TRY_CAST(make_timestamp(CAST({v} * 1000 AS BIGINT)) AS TIMESTAMPTZ) "
        f"WHEN {v} >= 0 "
        f"THEN TRY_CAST(make_timestamp(CAST({v} * 1000000 AS BIGINT)) AS TIMESTAMPTZ) END"
    )


def json_format(path: Path) -> str:
    """JSON Lines, except a ``.json`` file, which may also be one JSON array of events."""
    suffixes = [x.lower() for x in path.suffixes if x.lower() not in COMPRESSION]
    return "auto" if suffixes and suffixes[-1] == ".json" else "newline_delimited"


def _present(json_sql: str) -> str:
    """A JSON value, or SQL NULL for JSON null and the empty string (capture skips both)."""
    return (
        f"CASE WHEN json_type({json_sql}) = 'NULL' OR {json_sql} = '\"\"' THEN NULL "
        f"ELSE {json_sql} END"
    )
