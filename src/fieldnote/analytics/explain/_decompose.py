"""Shift-share (Kitagawa) decomposition of a rate's change, per dimension.

With segment shares ``w`` (before) and ``w'`` (after), rates ``r``, ``r'``, and ``R``
the mean of the overall rates before and after:

    mix_i  = (w'_i - w_i) * ((r_i + r'_i) / 2 - R)   the segment's weight moved
    rate_i = (r'_i - r_i) * (w_i + w'_i) / 2         the rate moved inside the segment

``sum(mix_i + rate_i) = sum(w'_i r'_i) - sum(w_i r_i)``, exactly the change of the
overall rate (the symmetric Kitagawa split; subtracting ``R`` changes no total, as the
share changes sum to zero, but makes a segment's mix mean something: growing while
worse than average lowers the rate, growing while better raises it). A segment seen in
one period only has no rate in the other; it takes the rate it has, so all of its
effect is mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics._stats import ProportionTest, rate, two_proportion_test

__all__ = ["Counts", "DimensionResult", "SegmentResult", "decompose"]

ALPHA = 0.05


@dataclass(frozen=True)
class Counts:
    """Users in the segment (``n``) and those who succeeded (``x``)."""

    n: int
    x: int

    def __post_init__(self) -> None:
        if not 0 <= self.x <= self.n:
            raise ValueError(f"successes {self.x} outside 0..{self.n}")


@dataclass(frozen=True)
class SegmentResult:
    value: str | None
    before: Counts
    after: Counts
    share_before: float
    share_after: float
    rate_before: float | None
    rate_after: float | None
    mix: float
    rate_effect: float
    test: ProportionTest
    significant: bool
    """p < 0.05 after Bonferroni over the dimension's segments."""

    @property
    def contribution(self) -> float:
        return self.mix + self.rate_effect

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "n_before": self.before.n,
            "converted_before": self.before.x,
            "n_after": self.after.n,
            "converted_after": self.after.x,
            "share_before": self.share_before,
            "share_after": self.share_after,
            "rate_before": self.rate_before,
            "rate_after": self.rate_after,
            "mix": self.mix,
            "rate": self.rate_effect,
            "contribution": self.contribution,
            "z": self.test.z,
            "p_value": self.test.p_value,
            "significant": self.significant,
        }


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    rate_before: float | None
    rate_after: float | None
    change: float
    mix: float
    rate_effect: float
    simpson: bool
    """Every segment seen in both periods moved one way, the overall rate the other."""
    segments: tuple[SegmentResult, ...]
    """Largest absolute contribution first."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "rate_before": self.rate_before,
            "rate_after": self.rate_after,
            "change": self.change,
            "mix": self.mix,
            "rate": self.rate_effect,
            "simpson": self.simpson,
            "segments": [s.to_dict() for s in self.segments],
        }


def decompose(
    dimension: str, before: Mapping[str | None, Counts], after: Mapping[str | None, Counts]
) -> DimensionResult:
    n0 = sum(c.n for c in before.values())
    n1 = sum(c.n for c in after.values())
    values = sorted(set(before) | set(after), key=lambda v: (v is None, v or ""))
    zero = Counts(0, 0)
    tests = len(values) or 1
    overall0 = rate(sum(c.x for c in before.values()), n0)
    overall1 = rate(sum(c.x for c in after.values()), n1)
    centre = ((overall0 or 0.0) + (overall1 or 0.0)) / 2 if n0 and n1 else 0.0
    segments = []
    for v in values:
        b, a = before.get(v, zero), after.get(v, zero)
        w0 = b.n / n0 if n0 else 0.0
        w1 = a.n / n1 if n1 else 0.0
        r0, r1 = rate(b.x, b.n), rate(a.x, a.n)
        f0 = r0 if r0 is not None else (r1 or 0.0)  # one-sided segments: all mix
        f1 = r1 if r1 is not None else (r0 or 0.0)
        test = two_proportion_test(b.x, b.n, a.x, a.n)
        segments.append(
            SegmentResult(
                value=v,
                before=b,
                after=a,
                share_before=w0,
                share_after=w1,
                rate_before=r0,
                rate_after=r1,
                mix=(w1 - w0) * ((f0 + f1) / 2 - centre),
                rate_effect=(f1 - f0) * (w0 + w1) / 2,
                test=test,
                significant=test.p_value is not None and test.p_value < ALPHA / tests,
            )
        )
    change = (overall1 or 0.0) - (overall0 or 0.0)
    moved = [
        s.rate_after - s.rate_before
        for s in segments
        if s.rate_before is not None and s.rate_after is not None
    ]
    simpson = (
        n0 > 0
        and n1 > 0
        and len(moved) >= 2
        and change != 0
        and all(m != 0 and (m > 0) != (change > 0) for m in moved)
    )
    segments.sort(key=lambda s: (-abs(s.contribution), s.value is None, s.value or ""))
    return DimensionResult(
        dimension=dimension,
        rate_before=overall0,
        rate_after=overall1,
        change=change,
        mix=sum(s.mix for s in segments),
        rate_effect=sum(s.rate_effect for s in segments),
        simpson=simpson,
        segments=tuple(segments),
    )
