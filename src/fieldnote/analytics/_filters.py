"""Property filters and the one-line step syntax the CLI and API accept.

``connect_integration where platform=ios and plan!="pro plus"`` is one step: an event
name, then optional ``where`` conditions joined by ``and``. Event names may hold spaces
and commas (``Signed Up, Web``); a name or value that itself contains `` where `` or
`` and `` is written in double quotes (``"a \\"quoted\\" name"``).

Comparison rules (the same in every engine and in the reference tests):

* ``=`` / ``!=``: when the value is a number the property is compared as a number
  (``amount=10`` matches ``10`` and ``10.0``), otherwise as text (JSON ``true`` is
  the text ``true``). ``!=`` also matches events that lack the property.
* ``<``, ``<=``, ``>``, ``>=``: numeric when the value is a number, otherwise text
  (ISO dates compare correctly as text). A missing property never matches.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["FilterSyntaxError", "Operator", "PropertyFilter", "parse_conditions", "parse_step"]

_FORBIDDEN_KEY_CHARS = set("'\"\\[]\n\r")


class FilterSyntaxError(ValueError):
    """A step or condition that cannot be parsed; the message says what was expected."""


class Operator(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


@dataclass(frozen=True)
class PropertyFilter:
    """``key op value`` on an event's JSON properties (top-level keys)."""

    key: str
    op: Operator
    value: str

    def __post_init__(self) -> None:
        if not self.key or _FORBIDDEN_KEY_CHARS & set(self.key):
            raise FilterSyntaxError(
                f"property name {self.key!r} is empty or holds one of ' \" \\ [ ] or a newline"
            )

    @property
    def number(self) -> float | None:
        """The value as a finite number, when it is one (then comparisons are numeric)."""
        try:
            value = float(self.value)
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    def __str__(self) -> str:
        return f"{_quote_if_needed(self.key)}{self.op.value}{_quote_if_needed(self.value)}"


def _quote_if_needed(text: str) -> str:
    if re.fullmatch(r"[\w$.:/@+-]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_WHERE = re.compile(r"\s+where\s+", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_OP = re.compile(r"(!=|<=|>=|=|<|>)")


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    """Read a double-quoted string starting at ``text[pos] == '"'``; return (value, end)."""
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise FilterSyntaxError(f"unterminated quote in {text!r}")


def _split_top(text: str, sep: re.Pattern[str]) -> list[str]:
    """Split on ``sep`` outside double quotes."""
    parts: list[str] = []
    start = i = 0
    while i < len(text):
        if text[i] == '"':
            _, i = _read_quoted(text, i)
            continue
        m = sep.match(text, i)
        if m and m.start() > start:
            parts.append(text[start : m.start()])
            start = i = m.end()
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _atom(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise FilterSyntaxError(f"missing {what}")
    if text.startswith('"'):
        value, end = _read_quoted(text, 0)
        if text[end:].strip():
            raise FilterSyntaxError(f"unexpected {text[end:].strip()!r} after quoted {what}")
        return value
    return text


def _condition(text: str) -> PropertyFilter:
    stripped = text.strip()
    i = 0
    key_end = -1
    while i < len(stripped):
        if stripped[i] == '"':
            _, i = _read_quoted(stripped, i)
            continue
        m = _OP.match(stripped, i)
        if m:
            key_end = i
            break
        i += 1
    if key_end < 0:
        raise FilterSyntaxError(
            f"condition {stripped!r} needs an operator: one of = != < <= > >= (e.g. platform=ios)"
        )
    m = _OP.match(stripped, key_end)
    assert m is not None
    key = _atom(stripped[:key_end], "property name")
    value = _atom(stripped[m.end() :], "value")
    return PropertyFilter(key=key, op=Operator(m.group(1)), value=value)


def parse_conditions(text: str) -> tuple[PropertyFilter, ...]:
    """``platform=ios and plan!=free`` → filters (all must hold)."""
    if not text.strip():
        return ()
    return tuple(_condition(part) for part in _split_top(text.strip(), _AND))


def parse_step(text: str) -> tuple[str, tuple[PropertyFilter, ...]]:
    """``event [where cond and cond ...]`` → (event name, filters)."""
    text = text.strip()
    if not text:
        raise FilterSyntaxError("empty step: give an event name, e.g. --step signup")
    if text.startswith('"'):
        event, end = _read_quoted(text, 0)
        rest = text[end:].lstrip()
        if not rest:
            return event, ()
        m = re.match(r"where\s+", rest, re.IGNORECASE)
        if m is None:
            raise FilterSyntaxError(f"expected 'where' after the quoted event name in {text!r}")
        return event, parse_conditions(rest[m.end() :])
    parts = _split_top(text, _WHERE)
    event = parts[0].strip()
    if not event:
        raise FilterSyntaxError(f"step {text!r} has no event name")
    conditions = " where ".join(parts[1:])
    return event, parse_conditions(conditions)
