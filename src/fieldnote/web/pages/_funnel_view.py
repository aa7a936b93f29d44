"""The funnel page's numbers, shaped for the template: bar lengths, rates with their
95 % Wilson intervals, drop-offs, times to convert, small-sample warnings, the
breakdown table and the conversion-over-time series (for Plotly).

Pure functions over ``FunnelResult``: the page tests check them without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldnote.analytics.funnels import FunnelResult, StepResult
from fieldnote.web.pages._analytics_shared import duration_text

__all__ = [
    "SMALL_SAMPLE",
    "BreakdownRow",
    "StepView",
    "breakdown_rows",
    "over_time_chart",
    "step_views",
]

SMALL_SAMPLE = 30
"""Below this many users a rate's interval is wide: the page says so beside it."""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _ci(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"{low * 100:.1f} to {high * 100:.1f} %"


@dataclass(frozen=True)
class StepView:
    index: int
    label: str
    event: str
    count: int
    bar: float
    """Share of the first step's users, 0..100 (the bar's length)."""
    from_previous: str
    from_previous_ci: str
    from_first: str
    from_first_ci: str
    dropped: int
    dropped_share: str
    median: str
    p90: str
    small_sample: bool
    """The rate from the previous step rests on fewer than SMALL_SAMPLE users."""
    base: int
    """Users the rate from the previous step is out of."""


def step_views(steps: tuple[StepResult, ...]) -> list[StepView]:
    first = steps[0].count if steps else 0
    out: list[StepView] = []
    for s in steps:
        prev = s.count + s.dropped_from_previous
        secs = s.seconds_to_convert
        prev_ci = s.ci_from_previous
        first_ci = s.ci_from_first
        out.append(
            StepView(
                index=s.index,
                label=s.label,
                event=s.event,
                count=s.count,
                bar=round(100.0 * s.count / first, 2) if first else 0.0,
                from_previous=_pct(s.conversion_from_previous) if s.index > 1 else "",
                from_previous_ci=(
                    _ci(prev_ci.low, prev_ci.high) if prev_ci and s.index > 1 else ""
                ),
                from_first=_pct(s.conversion_from_first),
                from_first_ci=_ci(first_ci.low, first_ci.high) if first_ci else "",
                dropped=s.dropped_from_previous,
                dropped_share=_pct(s.dropped_from_previous / prev if prev else None),
                median=duration_text(secs.median if secs else None),
                p90=duration_text(secs.p90 if secs else None),
                small_sample=s.index > 1 and prev < SMALL_SAMPLE,
                base=prev,
            )
        )
    return out


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    entered: int
    steps: list[StepView]
    overall: str
    overall_ci: str
    small_sample: bool


def breakdown_rows(result: FunnelResult) -> list[BreakdownRow]:
    rows: list[BreakdownRow] = []
    for group in result.breakdown or ():
        views = step_views(group.steps)
        last = views[-1]
        rows.append(
            BreakdownRow(
                label="(none)" if group.value is None else group.value,
                entered=views[0].count,
                steps=views,
                overall=last.from_first,
                overall_ci=last.from_first_ci,
                small_sample=views[0].count < SMALL_SAMPLE,
            )
        )
    return rows


def over_time_chart(result: FunnelResult) -> dict[str, Any]:
    """First-to-last conversion per period of entry, with its interval (for Plotly)."""
    periods = sorted(
        (g for g in result.breakdown or () if g.value is not None), key=lambda g: str(g.value)
    )
    x: list[str] = []
    y: list[float | None] = []
    low: list[float | None] = []
    high: list[float | None] = []
    entered: list[int] = []
    for g in periods:
        last = g.steps[-1]
        ci = last.ci_from_first
        x.append(str(g.value))
        y.append(last.conversion_from_first)
        low.append(ci.low if ci else None)
        high.append(ci.high if ci else None)
        entered.append(g.steps[0].count)
    return {
        "kind": "rate",
        "x": x,
        "series": [{"name": "converted", "y": y, "low": low, "high": high, "n": entered}],
    }
