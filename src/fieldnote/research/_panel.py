"""The participant panel: imported customer lists, checked row by row before anything
is written.

A researcher's CSV is messy (a sales export, a spreadsheet). Every row is validated
against a small registry of fields; an import with any bad row is refused as a whole,
with every problem named by line, column and reason, so a second attempt after fixing
the file lands exactly once. Columns that are not known fields become custom fields,
kept as text, so nothing the researcher brought is lost.

The user-vs-customer distinction: a *user* uses the product (we see their events), a
*customer* is a buyer's contact (imported from a customer list). One person can be
both.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "KINDS",
    "PANEL_FIELDS",
    "PanelImportError",
    "PanelRow",
    "RowProblem",
    "kind_of",
    "parse_field_map",
    "parse_panel_csv",
]

KINDS = ("user", "customer", "both")
MAX_ROWS = 100_000
MAX_CUSTOM = 50
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,32}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def kind_of(*, has_events: bool, customer: bool) -> str:
    """user (uses the product), customer (a buyer's contact) or both."""
    if has_events and customer:
        return "both"
    return "customer" if customer and not has_events else "user"


class _Bad(ValueError):
    """One cell's problem (the caller adds line and column)."""


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise _Bad(f"longer than {limit} characters ({len(value)})")
        return value

    return parse


def _email(value: str) -> str:
    if not _EMAIL.match(value) or len(value) > 320:
        raise _Bad(f"{value!r} is not an email address")
    return value.lower()


def _size(value: str) -> int:
    cleaned = value.replace(",", "").replace("_", "")
    if not cleaned.isdigit():
        raise _Bad(f"{value!r} is not a whole number of employees")
    size = int(cleaned)
    if size < 1 or size > 10_000_000:
        raise _Bad(f"{size} is outside 1..10,000,000")
    return size


def _phone(value: str) -> str:
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 6:
        raise _Bad(f"{value!r} is not a phone number (digits, spaces, + ( ) . - /)")
    return value


def _flag(value: str) -> bool:
    low = value.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise _Bad(f"{value!r} is not yes/no (true/false, 1/0)")


#: field → parser of a non-empty cell. ``email`` is required (the upsert key).
PANEL_FIELDS: Mapping[str, Callable[[str], Any]] = {
    "email": _email,
    "name": _text(200),
    "company": _text(200),
    "role": _text(200),
    "company_size": _size,
    "phone": _phone,
    "distinct_id": _text(200),
    "customer": _flag,
}


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column!r}: {self.why}"

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "why": self.why}


class PanelImportError(ValueError):
    """The file cannot be imported; ``problems`` lists every bad cell."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s), nothing imported: {shown}{more}")


@dataclass(frozen=True, kw_only=True)
class PanelRow:
    line: int
    email: str
    name: str | None = None
    company: str | None = None
    role: str | None = None
    company_size: int | None = None
    phone: str | None = None
    distinct_id: str | None = None
    customer: bool = True
    custom: dict[str, str] = field(default_factory=dict)


def parse_field_map(pairs: Iterable[str]) -> dict[str, str]:
    """``--map "Work Email=email"`` → {column: field}; field may be ``custom.X``."""
    out: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise PanelImportError([RowProblem(0, pair, "--map needs COLUMN=FIELD")])
        if target not in PANEL_FIELDS and not target.startswith("custom."):
            known = ", ".join(PANEL_FIELDS)
            raise PanelImportError(
                [RowProblem(0, column, f"unknown field {target!r} (fields: {known}, custom.NAME)")]
            )
        out[column] = target
    return out


def parse_panel_csv(text: str, field_map: Mapping[str, str] | None = None) -> list[PanelRow]:
    """Every row of a panel CSV, or ``PanelImportError`` naming every problem."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    mapping = _targets(header, field_map or {})
    rows: list[PanelRow] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    first_id: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(RowProblem(line, "", f"more than {MAX_ROWS:,} rows"))
            break
        if None in record:
            problems.append(RowProblem(line, "", f"more cells than the {len(header)} columns"))
            continue
        row = _row(line, record, mapping, problems)
        if row is None:
            continue
        if row.email in first_line:
            problems.append(
                RowProblem(
                    line,
                    _column(mapping, "email"),
                    f"{row.email} is also on line {first_line[row.email]} (one row per email)",
                )
            )
            continue
        if row.distinct_id and row.distinct_id in first_id:
            problems.append(
                RowProblem(
                    line,
                    _column(mapping, "distinct_id"),
                    f"{row.distinct_id} is also on line {first_id[row.distinct_id]} "
                    "(one person per distinct_id)",
                )
            )
            continue
        first_line[row.email] = line
        if row.distinct_id:
            first_id[row.distinct_id] = line
        rows.append(row)
    if problems:
        raise PanelImportError(problems)
    return rows


def _targets(header: list[str], field_map: Mapping[str, str]) -> dict[str, str]:
    problems = [
        RowProblem(1, col, "--map names a column the file does not have")
        for col in field_map
        if col not in header
    ]
    mapping: dict[str, str] = {}
    for col in header:
        key = col.strip()
        target = field_map.get(col) or (key.lower() if key.lower() in PANEL_FIELDS else None)
        mapping[col] = target or f"custom.{key}"
    targets = [t for t in mapping.values() if not t.startswith("custom.")]
    for t in set(targets):
        if targets.count(t) > 1:
            cols = [c for c, v in mapping.items() if v == t]
            problems.append(RowProblem(1, cols[1], f"{t} is also given by column {cols[0]!r}"))
    if "email" not in targets:
        problems.append(
            RowProblem(1, "email", "no email column (name one with --map COLUMN=email)")
        )
    if sum(t.startswith("custom.") for t in mapping.values()) > MAX_CUSTOM:
        problems.append(RowProblem(1, "", f"more than {MAX_CUSTOM} custom columns"))
    if problems:
        raise PanelImportError(problems)
    return mapping


def _column(mapping: Mapping[str, str], target: str) -> str:
    return next((c for c, t in mapping.items() if t == target), target)


def _row(
    line: int, record: Mapping[str, str], mapping: Mapping[str, str], problems: list[RowProblem]
) -> PanelRow | None:
    values: dict[str, Any] = {}
    custom: dict[str, str] = {}
    bad = False
    for col, target in mapping.items():
        cell = (record.get(col) or "").strip()
        if target.startswith("custom."):
            if cell:
                if len(cell) > 2000:
                    problems.append(RowProblem(line, col, "longer than 2000 characters"))
                    bad = True
                custom[target.removeprefix("custom.")] = cell
            continue
        if not cell:
            if target == "email":
                problems.append(RowProblem(line, col, "empty: every row needs an email"))
                bad = True
            continue
        try:
            values[target] = PANEL_FIELDS[target](cell)
        except _Bad as exc:
            problems.append(RowProblem(line, col, str(exc)))
            bad = True
    if bad:
        return None
    return PanelRow(line=line, custom=custom, **values)
