"""What differs between the SQL engines, in one place: JSON access, parameters, keys.

Every analytics query is generated SQL with named parameters (never values pasted into
the text), so property names and values from the CLI cannot inject SQL. A ``Dialect``
renders the few expressions that differ between DuckDB and Spark SQL; a registry maps
an engine name to its dialect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from fieldnote.analytics._filters import Operator, PropertyFilter

__all__ = ["DIALECTS", "Dialect", "Params", "filter_sql"]


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
