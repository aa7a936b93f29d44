"""SQL text helpers shared by the importer's modules (literals, identifiers, quoting).

DuckDB's table functions and views take no parameters, so the importer writes
literals into its SQL; every literal goes through ``lit`` and every identifier
through ``quote_ident``.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["json_key", "lit", "quote_ident", "quoted", "ts_lit"]


def lit(value: str) -> str:
    """A SQL string literal (DuckDB table functions and views take no parameters)."""
    return "'" + value.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def json_key(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def quoted(column: str) -> str:
    """SQL quoting a (possibly long) source value for an error message."""
    return (
        f"('''' || left(coalesce({column}, ''), 60) "
        f"|| CASE WHEN length({column}) > 60 THEN '…' ELSE '' END || '''')"
    )


def ts_lit(value: datetime) -> str:
    return f"TIMESTAMPTZ {lit(value.isoformat())}"
