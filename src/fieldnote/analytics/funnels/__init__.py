"""Funnels: how many users go from step to step, how fast, and where they drop.

``compute_funnel(source, funnel)`` is the one entry point (the CLI, the API and the
change decomposition all call it); the engine comes from the source's ``engine`` name
through ``FUNNEL_ENGINES``, a registry that other engines can join.
"""

from __future__ import annotations

from typing import Any, Protocol

from fieldnote.analytics._sources import EventSource
from fieldnote.analytics.funnels._duckdb import DuckDBFunnels
from fieldnote.analytics.funnels._duckdb_asof import DuckDBAsofFunnels
from fieldnote.analytics.funnels._model import (
    Breakdown,
    BreakdownKind,
    Funnel,
    FunnelAggregate,
    FunnelOrder,
    FunnelStep,
)
from fieldnote.analytics.funnels._result import (
    BreakdownResult,
    FunnelResult,
    StepResult,
    build_result,
)
from fieldnote.analytics.funnels._spark import SparkFunnels

__all__ = [
    "FUNNEL_ENGINES",
    "Breakdown",
    "BreakdownKind",
    "BreakdownResult",
    "Funnel",
    "FunnelAggregate",
    "FunnelEngine",
    "FunnelOrder",
    "FunnelResult",
    "FunnelStep",
    "StepResult",
    "compute_funnel",
    "compute_funnel_with",
]


class FunnelEngine(Protocol):
    def aggregate(self, source: Any, funnel: Funnel) -> list[FunnelAggregate]:
        """Per group (total, breakdown values): users per step and time percentiles."""
        ...


FUNNEL_ENGINES: dict[str, FunnelEngine] = {
    "duckdb": DuckDBFunnels(),
    "duckdb-asof": DuckDBAsofFunnels(),
    "spark": SparkFunnels(),
}


def compute_funnel(source: EventSource, funnel: Funnel) -> FunnelResult:
    """Run ``funnel`` on ``source``'s engine and compute rates and intervals."""
    return compute_funnel_with(source.engine, source, funnel)


def compute_funnel_with(engine_name: str, source: EventSource, funnel: Funnel) -> FunnelResult:
    """Same, with an engine chosen by name (``duckdb-asof`` reads a DuckDB source too)."""
    try:
        engine = FUNNEL_ENGINES[engine_name]
    except KeyError:
        raise ValueError(
            f"no funnel engine named {engine_name!r}; known: {', '.join(FUNNEL_ENGINES)}"
        ) from None
    return build_result(funnel, engine.aggregate(source, funnel))
