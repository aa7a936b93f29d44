"""Did the release work? Before/after on the metric it targeted, with the mix trap.

A rate compared across a release date moves for two kinds of reason: the product
changed how people behave (the rate moved *inside* segments), or the people changed
(more traffic from a channel that always converted better: *mix*). The change
decomposition (``fieldnote.analytics.explain``) separates the two per dimension, so
a lift that came from channel mix is called ``confounded`` instead of ``improved``.

Rules, in order (``ALPHA`` = 0.05):

* the overall two-proportion test is not significant → ``no effect``;
* for some dimension, mix explains at least ``MIX_SHARE`` of the change and no
  segment's rate moved significantly (Bonferroni over its segments) in the
  direction of the change, or the dimension shows Simpson's paradox → ``confounded``;
* otherwise ``improved`` (the rate rose) or ``worse`` (it fell).

At least one dimension is required: without one confounding cannot be checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics.explain import DimensionResult, ExplainResult, RateMetric, explain

__all__ = [
    "ALPHA",
    "MIN_USERS",
    "MIX_SHARE",
    "ReleaseVerdict",
    "Verdict",
    "judge",
    "release_verdict",
]

ALPHA = 0.05
#: Mix explaining at least this share of the change (with no significant within-segment
#: move in the change's direction) makes a release's change ``confounded``.
MIX_SHARE = 0.5
#: Fewer users than this in a window earns a note beside the verdict.
MIN_USERS = 30


class Verdict(StrEnum):
    IMPROVED = "improved"
    NO_EFFECT = "no effect"
    WORSE = "worse"
    CONFOUNDED = "confounded"


@dataclass(frozen=True)
class ReleaseVerdict:
    verdict: Verdict
    reason: str
    before: DateRange
    after: DateRange
    result: ExplainResult
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "reason": self.reason,
            "notes": list(self.notes),
            **self.result.to_dict(),
        }


def _mix_explains(dim: DimensionResult, change: float) -> bool:
    if dim.simpson:
        return True
    if change == 0 or dim.mix / change < MIX_SHARE:
        return False
    return not any(
        s.significant
        and s.rate_before is not None
        and s.rate_after is not None
        and (s.rate_after - s.rate_before) * change > 0
        for s in dim.segments
    )


def judge(result: ExplainResult) -> tuple[Verdict, str]:
    """The verdict on an explained change, and one sentence saying why."""
    test = result.test
    b, a = result.before, result.after
    rates = f"{b.converted}/{b.entered} → {a.converted}/{a.entered}"
    if test.p_value is None or test.p_value >= ALPHA:
        p = "n/a" if test.p_value is None else f"{test.p_value:.3g}"
        return Verdict.NO_EFFECT, f"the rate did not move significantly ({rates}, p = {p})"
    change = test.difference
    for dim in result.dimensions:
        if _mix_explains(dim, change):
            why = "Simpson's paradox" if dim.simpson else f"mix {dim.mix * 100:+.1f} pts"
            return Verdict.CONFOUNDED, (
                f"the rate moved {change * 100:+.1f} pts ({rates}, p = {test.p_value:.3g}) "
                f"but by {dim.dimension} it is {why} of it; the rates within segments did "
                "not move significantly that way"
            )
    verdict = Verdict.IMPROVED if change > 0 else Verdict.WORSE
    return verdict, (
        f"the rate moved {change * 100:+.1f} pts ({rates}, p = {test.p_value:.3g}) "
        "and the change is within segments, not mix"
    )


def release_verdict(
    source: EventSource,
    metric: RateMetric,
    released_at: datetime,
    window: timedelta,
    by: Sequence[str],
) -> ReleaseVerdict:
    """Compare ``window`` before ``released_at`` with ``window`` after, along ``by``."""
    if not by:
        raise ValueError(
            "give at least one dimension (e.g. channel): without one a change from mix "
            "cannot be told from a real change"
        )
    before = DateRange(released_at - window, released_at)
    after = DateRange(released_at, released_at + window)
    result = explain(source, metric, before, after, by)
    notes = tuple(
        f"only {p.entered} users in the {name} window (fewer than {MIN_USERS}): "
        "the verdict rests on little data"
        for p, name in ((result.before, "before"), (result.after, "after"))
        if p.entered < MIN_USERS
    )
    verdict, reason = judge(result)
    return ReleaseVerdict(verdict, reason, before, after, result, notes)
