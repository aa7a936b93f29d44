"""Per-person metric values from the event store, with each person's group flags.

One query per metric: every user active in the range gets a value, and two flags
say whether one of their distinct ids belongs to the theme group or to the
participants at all (so the caller can compare the group with the other
participants, or with everyone else). Users are resolved to persons exactly as the
rest of analytics does (``_relations.events_from``), so a participant's anonymous
and logged-in ids count as one person.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sql import Params, period_start_day
from fieldnote.analytics.trends._common import fetch, params_for

__all__ = ["PERSON_METRICS", "PersonMetric", "PersonValues", "person_metric", "person_values"]


@dataclass(frozen=True)
class PersonMetric:
    """How one number per person is computed from that person's events in a range."""

    name: str
    label: str
    """How a sentence names it: ``weekly engagement (active days per week)``."""
    expression: Callable[[Params, DateRange], str]
    """SQL aggregate over the person's event rows (alias ``e``)."""


def _active_days_per_week(params: Params, dates: DateRange) -> str:
    assert dates.start is not None and dates.end is not None
    weeks = (dates.end - dates.start).total_seconds() / (7 * 86400)
    day = period_start_day(params.dialect, "e.timestamp", "day")
    return f"count(DISTINCT {day}) / {params.add(weeks)}"


def _did(event: str) -> Callable[[Params, DateRange], str]:
    def expression(params: Params, dates: DateRange) -> str:
        return f"max(CASE WHEN e.event = {params.add(event)} THEN 1.0 ELSE 0.0 END)"

    return expression


def _engagement(options: dict[str, Any]) -> PersonMetric:
    return PersonMetric(
        "engagement", "weekly engagement (active days per week)", _active_days_per_week
    )


def _conversion(options: dict[str, Any]) -> PersonMetric:
    event = str(options.get("event") or "").strip()
    if not event:
        raise ValueError(
            "metric 'conversion' needs the step's event, e.g. event=connect_integration"
        )
    return PersonMetric("conversion", f"conversion to {event}", _did(event))


#: Metric name → builder from options (``event`` for conversion).
PERSON_METRICS: dict[str, Callable[[dict[str, Any]], PersonMetric]] = {
    "engagement": _engagement,
    "conversion": _conversion,
}


def person_metric(name: str, options: dict[str, Any] | None = None) -> PersonMetric:
    try:
        build = PERSON_METRICS[name]
    except KeyError:
        raise ValueError(
            f"unknown person metric {name!r}: one of {', '.join(PERSON_METRICS)}"
        ) from None
    return build(options or {})


@dataclass(frozen=True)
class PersonValues:
    """One entry per user active in the range (same order in all three arrays)."""

    metric: PersonMetric
    dates: DateRange
    values: NDArray[np.float64]
    in_group: NDArray[np.bool_]
    participant: NDArray[np.bool_]
    matched_ids: frozenset[str]
    """The given distinct ids that had events in the range (the rest are unmatched)."""


def person_values(
    source: EventSource,
    metric: PersonMetric,
    dates: DateRange,
    group_ids: Collection[str],
    participant_ids: Collection[str],
) -> PersonValues:
    """Per-person ``metric`` over ``dates`` (a bounded range) for every active user,
    flagged by membership of ``group_ids`` and ``participant_ids`` (distinct ids)."""
    if dates.start is None or dates.end is None:
        raise ValueError("a per-person metric needs a bounded date range (from and to)")
    params = params_for(source)
    rel = events_from(params, source.tables, start=dates.start, end=dates.end)
    value = metric.expression(params, dates)

    def member(ids: Collection[str]) -> str:
        if not ids:
            return "0"
        listed = ", ".join(params.add(i) for i in sorted(set(ids)))
        return f"max(CASE WHEN e.distinct_id IN ({listed}) THEN 1 ELSE 0 END)"

    sql = (
        f"SELECT {value} AS v, {member(group_ids)} AS g, {member(participant_ids)} AS p "
        f"{rel.from_where} GROUP BY {rel.actor}"
    )
    cols = fetch(source, sql, params)
    everyone = set(group_ids) | set(participant_ids)
    matched: frozenset[str] = frozenset()
    if everyone:
        ids_params = params_for(source)
        ids_rel = events_from(ids_params, source.tables, start=dates.start, end=dates.end)
        listed = ", ".join(ids_params.add(i) for i in sorted(everyone))
        seen = fetch(
            source,
            f"SELECT DISTINCT e.distinct_id AS d {ids_rel.from_where} "
            f"{'AND' if ' WHERE ' in ids_rel.from_where else 'WHERE'} e.distinct_id IN ({listed})",
            ids_params,
        )
        matched = frozenset(str(d) for d in seen["d"])
    return PersonValues(
        metric=metric,
        dates=dates,
        values=np.asarray(cols["v"], dtype=np.float64),
        in_group=np.asarray(cols["g"]).astype(bool),
        participant=np.asarray(cols["p"]).astype(bool),
        matched_ids=matched,
    )
