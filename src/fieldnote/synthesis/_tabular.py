"""Read texts from any CSV or JSONL file, with errors that name the file, line and column."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from fieldnote.synthesis._notes import SourceText

__all__ = ["TableError", "TextColumns", "read_texts"]


class TableError(ValueError):
    """The input file cannot give texts; the message says what, where and why."""


@dataclass(frozen=True, slots=True)
class TextColumns:
    text: str = "text"
    id: str | None = None
    participant: str | None = None


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TableError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TableError(f"{path}: is a folder, not a CSV or JSONL file") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TableError(
            f"{path}: line {line}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8"
        ) from None


def _rows_jsonl(path: Path, content: str) -> list[tuple[int, dict[str, object]]]:
    rows: list[tuple[int, dict[str, object]]] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TableError(f"{path}: line {number}: invalid JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise TableError(f"{path}: line {number}: expected a JSON object per line")
        rows.append((number, value))
    return rows


def _rows_csv(content: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(content.splitlines())
    return [(reader.line_num, dict(row)) for row in reader]


def read_texts(path: Path, columns: TextColumns) -> list[SourceText]:
    """One ``SourceText`` per row with a non-empty text; ids default to the row number."""
    content = _decode(path)
    if not content.strip():
        raise TableError(f"{path}: the file is empty")
    jsonl = path.suffix.lower() in {".jsonl", ".ndjson", ".json"}
    rows = _rows_jsonl(path, content) if jsonl else _rows_csv(content)
    if not rows:
        raise TableError(f"{path}: no rows after the header")
    available = sorted({k for _, r in rows for k in r if k is not None})
    for role, name in (
        ("text", columns.text),
        ("id", columns.id),
        ("participant", columns.participant),
    ):
        if name is not None and all(name not in r for _, r in rows):
            raise TableError(
                f"{path}: no {role} column {name!r}; columns are: {', '.join(available)}"
            )
    texts: list[SourceText] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        value = row.get(columns.text)
        if value is None or not str(value).strip():
            continue
        ident = (
            str(row.get(columns.id))
            if columns.id and row.get(columns.id) is not None
            else str(number)
        )
        if ident in seen:
            raise TableError(
                f"{path}: line {number}: id {ident!r} repeats line {seen[ident]} "
                f"(column {columns.id!r} must be unique)"
            )
        seen[ident] = number
        who = row.get(columns.participant) if columns.participant else None
        texts.append(SourceText(ident, str(value), str(who) if who not in (None, "") else None))
    if not texts:
        raise TableError(f"{path}: column {columns.text!r} is empty on every row")
    return texts
