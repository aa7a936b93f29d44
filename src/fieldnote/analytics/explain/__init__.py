"""Change decomposition: mix versus rate, per dimension, with significance and a
Simpson's-paradox flag. Definitions: docs/analytics.md ("Explaining a change")."""

from fieldnote.analytics.explain._decompose import (
    Counts,
    DimensionResult,
    SegmentResult,
    decompose,
)
from fieldnote.analytics.explain._explain import (
    RATE_METRICS,
    ExplainResult,
    RateMetric,
    explain,
    rate_metric,
)

__all__ = [
    "RATE_METRICS",
    "Counts",
    "DimensionResult",
    "ExplainResult",
    "RateMetric",
    "SegmentResult",
    "decompose",
    "explain",
    "rate_metric",
]
