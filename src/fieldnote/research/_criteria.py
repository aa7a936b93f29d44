"""Criteria over participants: attributes (role, company size, tier, kind, custom
fields) and behaviour ("did report_created at least 3 times in 30 days").

Personas and study screeners are both saved criteria, so one evaluator serves both,
and every mismatch is reported in words: a researcher sees *why* a person was left
out, not just that they were.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ATTRIBUTE_FIELDS",
    "OPS",
    "Attribute",
    "Behaviour",
    "Candidate",
    "Criteria",
    "CriteriaError",
    "parse_did",
    "parse_where",
]

#: Fields a criterion may name (besides ``custom.NAME``).
ATTRIBUTE_FIELDS = ("role", "company", "company_size", "tier", "kind", "email", "name")
MAX_DAYS = 365


class CriteriaError(ValueError):
    """A criterion that cannot be evaluated; the message names where and why."""


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def _compare(op: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def check(actual: Any, wanted: Any) -> bool:
        a, w = _num(actual), _num(wanted)
        return a is not None and w is not None and op(a, w)

    return check


def _low(value: Any) -> str:
    return str(value).strip().lower()


#: op → test(actual, wanted). Text comparisons ignore case; missing values never match.
OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, w: a is not None and _low(a) == _low(w),
    "ne": lambda a, w: a is not None and _low(a) != _low(w),
    "in": lambda a, w: a is not None and _low(a) in {_low(x) for x in w},
    "not_in": lambda a, w: a is not None and _low(a) not in {_low(x) for x in w},
    "contains": lambda a, w: a is not None and _low(w) in _low(a),
    ">=": _compare(operator.ge),
    "<=": _compare(operator.le),
    ">": _compare(operator.gt),
    "<": _compare(operator.lt),
}


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A participant as the criteria see them."""

    participant_id: int
    attributes: Mapping[str, Any]
    #: (event, days) → how many times the person did it in the last ``days`` days.
    event_counts: Mapping[tuple[str, int], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attribute:
    field: str
    op: str
    value: Any

    def test(self, c: Candidate) -> str | None:
        """None when the candidate matches, else why not."""
        actual = c.attributes.get(self.field)
        if OPS[self.op](actual, self.value):
            return None
        shown = "missing" if actual is None else repr(actual)
        return f"{self.field} {self.op} {self.value!r} (is {shown})"

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op, "value": self.value}


@dataclass(frozen=True, slots=True)
class Behaviour:
    event: str
    min: int = 1
    days: int = 30
    max: int | None = None

    def test(self, c: Candidate) -> str | None:
        n = c.event_counts.get((self.event, self.days), 0)
        if n >= self.min and (self.max is None or n <= self.max):
            return None
        upper = f" and ≤ {self.max}" if self.max is not None else ""
        return f"did {self.event} ≥ {self.min}{upper} times in {self.days} d (did it {n})"

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event, "min": self.min, "max": self.max, "days": self.days}


@dataclass(frozen=True)
class Criteria:
    where: tuple[Attribute, ...] = ()
    did: tuple[Behaviour, ...] = ()

    def misses(self, c: Candidate) -> list[str]:
        """Every criterion the candidate fails, in words (empty: a match)."""
        out = [m for a in self.where if (m := a.test(c)) is not None]
        out += [m for b in self.did if (m := b.test(c)) is not None]
        return out

    def windows(self) -> set[tuple[str, int]]:
        """The (event, days) counts evaluation needs from the event store."""
        return {(b.event, b.days) for b in self.did}

    def to_dict(self) -> dict[str, Any]:
        return {"where": [a.to_dict() for a in self.where], "did": [b.to_dict() for b in self.did]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "") -> Criteria:
        unknown = set(data) - {"where", "did"}
        if unknown:
            raise CriteriaError(f"{where}{sorted(unknown)[0]}: unknown key (keys: where, did)")
        attrs = tuple(
            _attribute(item, f"{where}where[{i}]")
            for i, item in enumerate(_list(data.get("where"), f"{where}where"))
        )
        did = tuple(
            _behaviour(item, f"{where}did[{i}]")
            for i, item in enumerate(_list(data.get("did"), f"{where}did"))
        )
        return cls(attrs, did)


def _list(value: Any, where: str) -> Sequence[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CriteriaError(f"{where}: expected a list")
    return value


def _attribute(item: Any, where: str) -> Attribute:
    if not isinstance(item, dict):
        raise CriteriaError(f"{where}: expected an object with field, op, value")
    name, op, value = item.get("field"), item.get("op", "eq"), item.get("value")
    if not isinstance(name, str) or not (
        name in ATTRIBUTE_FIELDS or (name.startswith("custom.") and len(name) > 7)
    ):
        fields = ", ".join(ATTRIBUTE_FIELDS)
        raise CriteriaError(f"{where}.field: {name!r} is not one of {fields}, custom.NAME")
    if op not in OPS:
        raise CriteriaError(f"{where}.op: {op!r} is not one of {', '.join(OPS)}")
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise CriteriaError(f"{where}.value: {op} needs a non-empty list")
    elif op in (">=", "<=", ">", "<"):
        if _num(value) is None:
            raise CriteriaError(f"{where}.value: {op} needs a number, not {value!r}")
    elif not isinstance(value, str | int | float) or isinstance(value, bool):
        raise CriteriaError(f"{where}.value: {op} needs a text or number value")
    return Attribute(name, op, value)


def _int(item: Mapping[str, Any], key: str, default: int | None, where: str) -> int | None:
    value = item.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CriteriaError(f"{where}.{key}: expected a whole number ≥ 0, not {value!r}")
    return value


def _behaviour(item: Any, where: str) -> Behaviour:
    if not isinstance(item, dict):
        raise CriteriaError(f"{where}: expected an object with event, min, days")
    event = item.get("event")
    if not isinstance(event, str) or not event.strip() or len(event) > 200:
        raise CriteriaError(f"{where}.event: expected an event name")
    low = _int(item, "min", 1, where) or 0
    days = _int(item, "days", 30, where) or 0
    high = _int(item, "max", None, where)
    if not 1 <= days <= MAX_DAYS:
        raise CriteriaError(f"{where}.days: must be 1..{MAX_DAYS}, not {days}")
    if high is not None and high < low:
        raise CriteriaError(f"{where}.max: {high} is below min {low}")
    return Behaviour(event.strip(), low, days, high)


_WHERE = re.compile(r"^\s*([\w.]+)\s*(>=|<=|!=|=|>|<| not in | in | contains )\s*(.+?)\s*$")
_SYMBOLS = {"=": "eq", "!=": "ne", " in ": "in", " not in ": "not_in", " contains ": "contains"}
_DID = re.compile(r"^\s*([^>=\s][^>=]*?)\s*>=\s*(\d+)\s*(?:/\s*(\d+)\s*d)?\s*$")


def parse_where(text: str) -> Attribute:
    """``role in PM,Designer`` / ``company_size>=50`` / ``tier=daily`` → Attribute."""
    m = _WHERE.match(text)
    if not m:
        raise CriteriaError(f"--where {text!r}: expected FIELD OP VALUE (ops: = != >= <= > < in)")
    name, symbol, raw = m.groups()
    op = _SYMBOLS.get(symbol, symbol.strip())
    value: Any = [v.strip() for v in raw.split(",") if v.strip()] if op.endswith("in") else raw
    return _attribute({"field": name, "op": op, "value": value}, f"--where {text!r}")


def parse_did(text: str) -> Behaviour:
    """``report_created>=3/30d`` → did report_created at least 3 times in 30 days."""
    m = _DID.match(text)
    if not m:
        raise CriteriaError(f"--did {text!r}: expected EVENT>=N/DAYSd, e.g. report_created>=3/30d")
    event, low, days = m.groups()
    return _behaviour({"event": event, "min": int(low), "days": int(days or 30)}, f"--did {text!r}")
