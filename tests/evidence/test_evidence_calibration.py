"""Calibration as a statistical property: over 200 seeded simulated studies the 95 %
intervals cover the true effect and p < 0.05 fires on no-effect data at about the
promised rates (generous binomial bands: 200 studies give a standard error of 1.5
points; the bands are about four of them wide on each side)."""

from __future__ import annotations

import numpy as np
import pytest

from fieldnote.evidence import SCENARIOS, calibrate, compare_groups


@pytest.mark.parametrize("test", ["mann-whitney", "permutation"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_intervals_cover_and_false_positives_stay_rare(name: str, test: str) -> None:
    result = calibrate(SCENARIOS[name], 200, test=test, resamples=500)
    assert 0.88 <= result.coverage <= 0.995
    assert 0.01 <= result.false_positive_rate <= 0.11
    assert result.power > result.false_positive_rate  # the planted effect is visible


def test_a_broken_interval_would_fail_this_check() -> None:
    """The band is not vacuous: a 50 % interval reported as 95 % covers far too rarely."""
    s = SCENARIOS["engagement"]
    covered = 0
    for seed in range(200):
        rng = np.random.default_rng([seed, 9])
        a, b = s.draw(rng, s.n_group, s.mean_group), s.draw(rng, s.n_other, s.mean_other)
        ci = compare_groups(s.name, a, b, confidence=0.5, resamples=500, seed=seed).difference_ci
        covered += ci is not None and ci.contains(s.truth)
    assert not 0.88 <= covered / 200 <= 0.995


def test_seeds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="seeds"):
        calibrate(SCENARIOS["engagement"], 0)
