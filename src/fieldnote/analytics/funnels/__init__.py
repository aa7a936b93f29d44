"""Funnels: how many users go from step to step, how fast, and where they drop.

``compute_funnel(source, funnel)`` is the one entry point (the CLI, the API and the
change decomposition all call it); the engine comes from the source's ``engine`` name
through ``FUNNEL_ENGINES``, a registry that other engines can join.
"""

from __future__ import annotations

from typing import Any, Protocol

from fieldnote.analytics._sources import EventSource
from fieldnote.analytics.funnels._duckdb import DuckDBFunnels
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
]


class FunnelEngine(Protocol):
    def aggregate(self, source: Any, funnel: Funnel) -> list[FunnelAggregate]:
        """Per group (total, breakdown values): users per step and time percentiles."""
        ...


FUNNEL_ENGINES: dict[str, FunnelEngine] = {"duckdb": DuckDBFunnels(), "spark": SparkFunnels()}


def compute_funnel(source: EventSource, funnel: Funnel) -> FunnelResult:
    """Run ``funnel`` on ``source``'s engine and compute rates and intervals."""
    try:
        engine = FUNNEL_ENGINES[source.engine]
    except KeyError:
        raise ValueError(
            f"no funnel engine named {source.engine!r}; known: {', '.join(FUNNEL_ENGINES)}"
        ) from None
    return build_result(funnel, engine.aggregate(source, funnel))
