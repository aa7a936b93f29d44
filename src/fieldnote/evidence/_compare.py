"""Two groups of people compared on a per-person metric, with honest uncertainty.

A theme heard in twelve interviews says *why*; whether it matters *at scale* is a
comparison: do the people who expressed it behave differently from the others? With
the small groups research produces, a point estimate alone misleads, so every
comparison carries its sample sizes, a seeded percentile-bootstrap interval (each
group resampled on its own, all resamples at once as one numpy index array), a
rank-based or permutation p-value, and a plain warning when a group is too small to
say anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MIN_GROUP",
    "TESTS",
    "Comparison",
    "GroupStats",
    "Interval",
    "bootstrap_difference",
    "compare_groups",
    "mann_whitney_p",
    "permutation_p",
]

#: Below this many people per group a comparison is reported with a warning: with
#: fewer, an interval is too wide (and a bootstrap too rough) to support a claim.
MIN_GROUP = 10

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class GroupStats:
    n: int
    mean: float | None


def bootstrap_difference(
    group: Floats, other: Floats, *, resamples: int, confidence: float, seed: int
) -> tuple[Interval, Interval | None]:
    """Percentile intervals for ``mean(group) - mean(other)`` and for the relative
    difference ``mean(group) / mean(other) - 1`` (None where ``other``'s resampled
    mean can be zero). Vectorised: one (resamples x n) index draw per group."""
    rng = np.random.default_rng(seed)
    m1 = group[rng.integers(0, group.size, size=(resamples, group.size))].mean(axis=1)
    m0 = other[rng.integers(0, other.size, size=(resamples, other.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(m1 - m0, [tail, 100 - tail])
    relative = None
    if np.all(m0 != 0):
        rlo, rhi = np.percentile(m1 / m0 - 1, [tail, 100 - tail])
        relative = Interval(float(rlo), float(rhi))
    return Interval(float(lo), float(hi)), relative


def mann_whitney_p(group: Floats, other: Floats, seed: int) -> float | None:
    """Two-sided Mann-Whitney U (scipy; exact for small untied samples, else normal
    approximation with tie correction). None when every value is the same."""
    from scipy.stats import mannwhitneyu  # imported here: a second on every CLI start

    if np.all(group == group[0]) and np.all(other == group[0]):
        return None
    return float(mannwhitneyu(group, other, alternative="two-sided").pvalue)


def permutation_p(group: Floats, other: Floats, seed: int, permutations: int = 4000) -> float:
    """Two-sided permutation p-value of the difference in means, ``(1 + hits) / (1 + B)``
    (never 0, valid at any sample size). Vectorised: all permutations as one argsort."""
    pooled = np.concatenate([group, other])
    observed = abs(group.mean() - other.mean())
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((permutations, pooled.size)), axis=1)
    shuffled = pooled[order]
    diffs = np.abs(shuffled[:, : group.size].mean(axis=1) - shuffled[:, group.size :].mean(axis=1))
    hits = int(np.count_nonzero(diffs >= observed - 1e-12))
    return (1 + hits) / (1 + permutations)


#: Test name → p-value of "the two groups differ" (group, other, seed).
TESTS: dict[str, Callable[[Floats, Floats, int], float | None]] = {
    "mann-whitney": mann_whitney_p,
    "permutation": permutation_p,
}


@dataclass(frozen=True)
class Comparison:
    """``group`` against ``other`` on one metric; ``difference`` = group - other."""

    metric: str
    group: GroupStats
    other: GroupStats
    difference: float | None
    relative: float | None
    """``group / other - 1``; None when the other group's mean is 0 or unknown."""
    difference_ci: Interval | None
    relative_ci: Interval | None
    confidence: float
    test: str
    p_value: float | None
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        def ci(i: Interval | None) -> list[float] | None:
            return None if i is None else [i.low, i.high]

        return {
            "metric": self.metric,
            "n_group": self.group.n,
            "mean_group": self.group.mean,
            "n_other": self.other.n,
            "mean_other": self.other.mean,
            "difference": self.difference,
            "difference_ci": ci(self.difference_ci),
            "relative": self.relative,
            "relative_ci": ci(self.relative_ci),
            "confidence": self.confidence,
            "test": self.test,
            "p_value": self.p_value,
            "warnings": list(self.warnings),
        }

    def summary(self, who: str, than: str) -> str:
        """One sentence: ``Participants who talk about data sync have 15% lower weekly
        engagement than other participants (…, 95% CI …, p = …, n = 12 vs 40).``"""
        n = f"n = {self.group.n} vs {self.other.n}"
        if self.difference is None or self.difference_ci is None:
            return f"{who} cannot be compared with {than} on {self.metric} ({n}): " + (
                "; ".join(self.warnings) or "no data"
            )
        level = f"{round(self.confidence * 100)}% CI"
        ci = self.difference_ci
        p = "p n/a" if self.p_value is None else f"p = {self.p_value:.3g}"
        if self.relative is not None and self.relative != 0:
            how = "higher" if self.relative > 0 else "lower"
            size = f"{abs(self.relative) * 100:.0f}% {how} {self.metric}"
        elif self.difference != 0:
            how = "higher" if self.difference > 0 else "lower"
            size = f"{how} {self.metric}"
        else:
            size = f"the same {self.metric}"
        text = (
            f"{who} have {size} than {than} (difference {self.difference:+.3g}, "
            f"{level} {ci.low:+.3g} to {ci.high:+.3g}; {self.test} {p}; {n})."
        )
        if self.warnings:
            text += " Warning: " + "; ".join(self.warnings) + "."
        return text


def compare_groups(
    metric: str,
    group: Sequence[float] | Floats,
    other: Sequence[float] | Floats,
    *,
    test: str = "mann-whitney",
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> Comparison:
    """Compare per-person ``metric`` values of ``group`` with ``other``.

    Deterministic for a given ``seed``. Groups under two people get no statistics
    (only the warning); under ``MIN_GROUP`` the statistics come with a warning."""
    try:
        run_test = TESTS[test]
    except KeyError:
        raise ValueError(f"unknown test {test!r}: one of {', '.join(TESTS)}") from None
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence} must be between 0 and 1")
    a = np.asarray(group, dtype=np.float64)
    b = np.asarray(other, dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("metric values must be finite numbers")
    stats = [GroupStats(x.size, float(x.mean()) if x.size else None) for x in (a, b)]
    warnings = [
        f"only {x.size} {name} (fewer than {MIN_GROUP}): too small to say anything"
        for x, name in ((a, "in the group"), (b, "to compare with"))
        if x.size < MIN_GROUP
    ]
    if a.size < 2 or b.size < 2:
        return Comparison(
            metric, stats[0], stats[1], None, None, None, None, confidence, test, None,
            tuple(warnings),
        )  # fmt: skip
    diff = float(a.mean() - b.mean())
    relative = float(a.mean() / b.mean() - 1) if b.mean() != 0 else None
    diff_ci, rel_ci = bootstrap_difference(
        a, b, resamples=resamples, confidence=confidence, seed=seed
    )
    return Comparison(
        metric=metric,
        group=stats[0],
        other=stats[1],
        difference=diff,
        relative=relative,
        difference_ci=diff_ci,
        relative_ci=rel_ci if relative is not None else None,
        confidence=confidence,
        test=test,
        p_value=run_test(a, b, seed),
        warnings=tuple(warnings),
    )
