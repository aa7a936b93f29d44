"""Which file, in which format, with which columns: checks before anything is read.

``check_file`` and ``infer_format`` fail fast with a message for the person who typed
the command; ``open_source`` learns the columns from a header, footer or sample only.
"""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

import duckdb

from fieldnote.events.importing._request import ImportInputError
from fieldnote.events.importing._source import COMPRESSION, Source, json_format
from fieldnote.events.importing._sql import lit

__all__ = ["FORMATS", "JSON_SAMPLE_ROWS", "check_file", "first_line", "infer_format", "open_source"]

#: The formats ``fieldnote import`` reads.
FORMATS = ("csv", "jsonl", "parquet")

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: How many JSON records are looked at to learn a JSON Lines file's keys.
JSON_SAMPLE_ROWS = 10_000


def infer_format(path: Path, explicit: str | None) -> str:
    """The file's format: ``explicit`` when given, else from its extension."""
    if explicit is not None:
        fmt = explicit.strip().lower()
        if fmt == "ndjson":
            fmt = "jsonl"
        if fmt not in FORMATS:
            raise ImportInputError(f"unknown format {explicit!r}: use one of {', '.join(FORMATS)}")
        return fmt
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in COMPRESSION:
        suffixes.pop()
    fmt_from_ext = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if fmt_from_ext is None:
        raise ImportInputError(
            f"cannot tell the format of {path.name!r} from its extension; "
            f"pass --format {'|'.join(FORMATS)}"
        )
    return fmt_from_ext


def check_file(path: Path) -> Path:
    """Fail early and precisely on a path that cannot be imported."""
    path = path.expanduser()
    if not path.exists():
        raise ImportInputError(f"no such file: {path}")
    if path.is_dir():
        raise ImportInputError(f"{path} is a directory, not a file")
    if not path.is_file():
        raise ImportInputError(f"{path} is not a regular file")
    if not os.access(path, os.R_OK):
        raise ImportInputError(f"cannot read {path}: permission denied")
    try:
        with path.open("rb") as fh:
            first = fh.read(1)
    except OSError as exc:
        raise ImportInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not first:
        raise ImportInputError(f"{path} is empty")
    return path.resolve()


def open_source(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> Source:
    """Learn the file's columns (nothing is read beyond a header, footer or sample)."""
    p = lit(str(path))
    try:
        if fmt == "parquet":
            rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall()
            columns = {str(r[0]): str(r[1]) for r in rows}
        elif fmt == "csv":
            csv_options, names = _csv_header(path)
            columns = dict.fromkeys(names, "VARCHAR")
        else:
            rows = con.execute(
                f"""
                SELECT DISTINCT k FROM (
                    SELECT unnest(json_keys(json)) AS k FROM (
                        SELECT json FROM read_json_objects({p}, format = {lit(json_format(path))},
                                                           ignore_errors = true)
                        WHERE json IS NOT NULL AND json_type(json) = 'OBJECT'
                        LIMIT {JSON_SAMPLE_ROWS}))
                """
            ).fetchall()
            columns = {str(r[0]): "JSON" for r in sorted(rows)}
    except duckdb.Error as exc:
        raise ImportInputError(
            f"{path} is not a readable {_NAMES[fmt]} file: {first_line(exc)}"
        ) from exc
    if not columns:
        raise ImportInputError(f"{path} has no columns (no JSON objects in its first lines)")
    source = Source(path=path, format=fmt, columns=columns)
    if fmt == "csv":
        source.csv_options = csv_options
    return source


_NAMES = {"csv": "CSV", "jsonl": "JSON Lines", "parquet": "Parquet"}
_DELIMITERS = (",", "\t", ";", "|")


def _csv_header(path: Path) -> tuple[str, list[str]]:
    """(``read_csv`` options, column names), from the header line alone.

    DuckDB's sniffer guesses the dialect from a sample of rows, and one malformed row
    in that sample makes it fail or guess a single column. The header line is
    unambiguous: its most frequent delimiter and its names are passed explicitly,
    every column is read as text, and a malformed row then fails the import with its
    line number instead.
    """
    compressed = path.suffix.lower() in COMPRESSION
    try:
        if compressed and path.suffix.lower() == ".gz":
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
                header = fh.readline()
        elif compressed:
            raise ImportInputError(
                f"{path.name}: only gzip-compressed CSV is read; decompress it first"
            )
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = fh.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportInputError(f"{path} is not a readable CSV file: {exc}") from exc
    header = header.rstrip("\r\n")
    counts = {d: header.count(d) for d in _DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    names = next(csv.reader([header], delimiter=delimiter, quotechar='"'), [])
    if not header.strip() or not names:
        raise ImportInputError(f"{path} has no header line")
    unique: list[str] = []
    for i, name in enumerate(names):
        base = name.strip() or f"column{i + 1}"
        candidate, n = base, 1
        while candidate in unique:
            n += 1
            candidate = f"{base}_{n}"
        unique.append(candidate)
    columns = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in unique) + "}"
    options = (
        f"header = true, auto_detect = false, delim = {lit(delimiter)}, quote = '\"', "
        f"escape = '\"', columns = {columns}"
    )
    return options, unique


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
