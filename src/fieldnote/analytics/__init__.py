"""Analytics over the event store: funnels, trends, retention, change decomposition
(and ``overview``: the overview page).

Domain code: it never imports the web or CLI layers (import-linter checks). Every
computation takes an ``EventSource`` (DuckDB or Spark) and returns frozen dataclasses
with a ``to_dict()`` for JSON; statistics (Wilson intervals, z-tests) live in
``_stats`` so every result reports them the same way.
"""

from fieldnote.analytics._sources import (
    DuckDBSource,
    EventSource,
    EventTables,
    SparkSource,
    engine_source,
    store_source,
)
from fieldnote.analytics._time import DateRange, parse_date, parse_duration, parse_range

__all__ = [
    "DateRange",
    "DuckDBSource",
    "EventSource",
    "EventTables",
    "SparkSource",
    "engine_source",
    "parse_date",
    "parse_duration",
    "parse_range",
    "store_source",
]
