"""What differs between the SQL engines, in one place: JSON access, parameters, keys.

Every analytics query is generated SQL with named parameters (never values pasted into
the text), so property names and values from the CLI cannot inject SQL. A ``Dialect``
renders the few expressions that differ between DuckDB and Spark SQL; a registry maps
an engine name to its dialect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from fieldnote.analytics._filters import Operator, PropertyFilter

__all__ = ["DAY_US", "DIALECTS", "Dialect", "Params", "filter_sql", "period_start_day"]


class Dialect(Protocol):
    name: str

    def marker(self, param: str) -> str:
        """How a named parameter is written in the SQL text."""
        ...

    def prop_text(self, column: str, path: str) -> str:
        """A top-level JSON property as text (NULL when missing or JSON null)."""
        ...

    def to_double(self, expr: str) -> str:
        """``expr`` as a double, NULL when it is not a number."""
        ...

    def json_path(self, key: str) -> str:
        """The path argument that ``prop_text`` takes for a top-level ``key``."""
        ...

    def epoch_us(self, column: str) -> str:
        """Microseconds since 1970 (UTC) of a timestamp column."""
        ...

    def date_of_day(self, day: str) -> str:
        """The ISO date text of a day number (days since 1970-01-01)."""
        ...


class DuckDBDialect:
    name = "duckdb"

    def marker(self, param: str) -> str:
        return f"${param}"

    def prop_text(self, column: str, path: str) -> str:
        return f"json_extract_string({column}, {path})"

    def to_double(self, expr: str) -> str:
        return f"TRY_CAST({expr} AS DOUBLE)"

    def json_path(self, key: str) -> str:
        # a JSON pointer needs no quoting of '$', '.' or spaces
        return "/" + key.replace("~", "~0").replace("/", "~1")

    def epoch_us(self, column: str) -> str:
        return f"epoch_us({column})"

    def date_of_day(self, day: str) -> str:
        return f"CAST(DATE '1970-01-01' + CAST({day} AS INTEGER) AS VARCHAR)"


class SparkDialect:
    name = "spark"

    def marker(self, param: str) -> str:
        return f":{param}"

    def prop_text(self, column: str, path: str) -> str:
        return f"get_json_object({column}, {path})"

    def to_double(self, expr: str) -> str:
        return f"try_cast({expr} AS DOUBLE)"

    def json_path(self, key: str) -> str:
        return f"$['{key}']"

    def epoch_us(self, column: str) -> str:
        return f"unix_micros({column})"

    def date_of_day(self, day: str) -> str:
        return f"CAST(date_add(DATE '1970-01-01', CAST({day} AS INT)) AS STRING)"


DIALECTS: dict[str, Dialect] = {"duckdb": DuckDBDialect(), "spark": SparkDialect()}


@dataclass
class Params:
    """Collects named parameter values while a query is generated."""

    dialect: Dialect
    values: dict[str, object] = field(default_factory=dict)

    def add(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return self.dialect.marker(name)

    def prop_text(self, column: str, key: str) -> str:
        return self.dialect.prop_text(column, self.add(self.dialect.json_path(key)))

    def used_in(self, sql: str) -> dict[str, object]:
        """The values ``sql`` refers to (engines reject unused parameters)."""
        names = set(re.findall(r"[$:](p\d+)\b", sql))
        return {k: v for k, v in self.values.items() if k in names}


DAY_US = 86_400_000_000
#: Days back from a day number to the Monday that starts its ISO week (1970-01-01 was
#: a Thursday); written with a double modulo so days before 1970 work too.
_TO_MONDAY = "((({d} + 3) % 7) + 7) % 7"


def period_start_day(dialect: Dialect, column: str, period: str) -> str:
    """Day number of the UTC day (``day``) or ISO week's Monday (``week``) of a time.

    Integer arithmetic on epoch microseconds: no session time zone can shift it."""
    day = f"CAST(floor({dialect.epoch_us(column)} / {DAY_US}) AS BIGINT)"
    try:
        return _PERIODS[period](day)
    except KeyError:
        raise ValueError(f"unknown period {period!r}: {' or '.join(_PERIODS)}") from None


_PERIODS: dict[str, Callable[[str], str]] = {
    "day": lambda day: day,
    "week": lambda day: f"({day} - {_TO_MONDAY.format(d=day)})",
}


_SQL_OPS = {
    Operator.EQ: "=",
    Operator.NE: "=",  # negated below, so a missing property matches
    Operator.LT: "<",
    Operator.LE: "<=",
    Operator.GT: ">",
    Operator.GE: ">=",
}


def filter_sql(params: Params, flt: PropertyFilter, column: str = "properties") -> str:
    """A boolean SQL expression for ``flt`` (never NULL), following _filters' rules."""
    text = params.prop_text(column, flt.key)
    number = flt.number
    if number is not None:
        left, right = params.dialect.to_double(text), params.add(number)
    else:
        left, right = text, params.add(flt.value)
    test = f"coalesce({left} {_SQL_OPS[flt.op]} {right}, false)"
    return f"(NOT {test})" if flt.op is Operator.NE else test
