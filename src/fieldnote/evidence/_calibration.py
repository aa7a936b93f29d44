"""Does ``compare_groups`` keep its promises? Simulated groups with a known truth.

A 95 % interval should contain the true difference in about 95 % of studies, and a
test at p < 0.05 should cry wolf in about 5 % of studies where nothing differs. Both
are checked by simulation over many seeds, for data shaped like what the comparison
meets in practice (active days out of 7, skewed and tied; 0/1 conversions), at the
small group sizes research produces. Each figure comes with its own Wilson interval:
200 seeds cannot tell 95 % from 93 %.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fieldnote.analytics._stats import Interval, wilson_interval
from fieldnote.evidence._compare import compare_groups

__all__ = ["SCENARIOS", "Calibration", "Scenario", "calibrate"]


@dataclass(frozen=True)
class Scenario:
    """Two populations with known means; ``draw(rng, n, mean)`` samples one group."""

    name: str
    n_group: int
    n_other: int
    mean_group: float
    mean_other: float
    draw: Callable[[np.random.Generator, int, float], NDArray[np.float64]]

    @property
    def truth(self) -> float:
        return self.mean_group - self.mean_other


def _active_days(rng: np.random.Generator, n: int, mean: float) -> NDArray[np.float64]:
    return rng.binomial(7, mean / 7, n).astype(np.float64)


def _converted(rng: np.random.Generator, n: int, mean: float) -> NDArray[np.float64]:
    return (rng.random(n) < mean).astype(np.float64)


#: Scenario name → (with an effect, without one): the null keeps the other group's mean.
SCENARIOS: dict[str, Scenario] = {
    "engagement": Scenario("engagement", 30, 50, 2.1, 2.8, _active_days),
    "conversion": Scenario("conversion", 40, 60, 0.25, 0.45, _converted),
}


@dataclass(frozen=True)
class Calibration:
    scenario: str
    seeds: int
    test: str
    covered: int
    """Studies with a true effect whose interval contained it."""
    false_positives: int
    """Studies without an effect with p < 0.05."""
    detected: int
    """Studies with a true effect with p < 0.05 (power)."""

    @property
    def coverage(self) -> float:
        return self.covered / self.seeds

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.seeds

    @property
    def power(self) -> float:
        return self.detected / self.seeds

    def interval(self, count: int) -> Interval:
        found = wilson_interval(count, self.seeds)
        assert found is not None
        return found

    def to_dict(self) -> dict[str, Any]:
        def ci(count: int) -> list[float]:
            i = self.interval(count)
            return [round(i.low, 4), round(i.high, 4)]

        return {
            "scenario": self.scenario,
            "seeds": self.seeds,
            "test": self.test,
            "coverage": self.coverage,
            "coverage_ci": ci(self.covered),
            "false_positive_rate": self.false_positive_rate,
            "false_positive_ci": ci(self.false_positives),
            "power": self.power,
            "power_ci": ci(self.detected),
        }


def calibrate(
    scenario: Scenario, seeds: int, *, test: str = "mann-whitney", resamples: int = 1000
) -> Calibration:
    """Run ``seeds`` simulated studies with the effect and ``seeds`` without."""
    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    covered = false_positives = detected = 0
    s = scenario
    for seed in range(seeds):
        rng = np.random.default_rng([seed, 9])
        group = s.draw(rng, s.n_group, s.mean_group)
        other = s.draw(rng, s.n_other, s.mean_other)
        null = s.draw(rng, s.n_group, s.mean_other)
        real = compare_groups(s.name, group, other, test=test, resamples=resamples, seed=seed)
        nothing = compare_groups(s.name, null, other, test=test, resamples=resamples, seed=seed)
        covered += real.difference_ci is not None and real.difference_ci.contains(s.truth)
        detected += real.p_value is not None and real.p_value < 0.05
        false_positives += nothing.p_value is not None and nothing.p_value < 0.05
    return Calibration(s.name, seeds, test, covered, false_positives, detected)
