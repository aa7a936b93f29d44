"""Retention: cohorts by the period of each user's first START event, and the share who
did RETURN in each following period. Definitions: docs/analytics.md ("Retention")."""

from fieldnote.analytics.retention._cohorts import (
    Cohort,
    Retention,
    RetentionCell,
    RetentionResult,
)

__all__ = ["Cohort", "Retention", "RetentionCell", "RetentionResult"]
