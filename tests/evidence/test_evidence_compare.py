"""compare_groups against plain reference implementations (loops, scipy)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from fieldnote.evidence import MIN_GROUP, bootstrap_difference, compare_groups, permutation_p

values_st = st.lists(st.integers(0, 7).map(float), min_size=2, max_size=30)


def reference_bootstrap(
    a: list[float], b: list[float], resamples: int, seed: int
) -> tuple[float, float]:
    """The same draws as the vectorised version, one resample at a time."""
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, len(a), size=(resamples, len(a)))
    ib = rng.integers(0, len(b), size=(resamples, len(b)))
    diffs = []
    for r in range(resamples):
        ma = sum(a[i] for i in ia[r]) / len(a)
        mb = sum(b[i] for i in ib[r]) / len(b)
        diffs.append(ma - mb)
    diffs.sort()

    def pct(q: float) -> float:  # linear interpolation, numpy's default
        pos = (len(diffs) - 1) * q
        lo = int(pos)
        hi = min(lo + 1, len(diffs) - 1)
        return diffs[lo] + (diffs[hi] - diffs[lo]) * (pos - lo)

    return pct(0.025), pct(0.975)


@settings(max_examples=60, deadline=None)
@given(a=values_st, b=values_st, seed=st.integers(0, 2**32 - 1))
def test_bootstrap_matches_the_loop_reference(a: list[float], b: list[float], seed: int) -> None:
    ci, _ = bootstrap_difference(
        np.array(a), np.array(b), resamples=200, confidence=0.95, seed=seed
    )
    lo, hi = reference_bootstrap(a, b, 200, seed)
    assert (ci.low, ci.high) == (pytest.approx(lo), pytest.approx(hi))


@settings(max_examples=100, deadline=None)
@given(a=values_st, b=values_st)
def test_effects_and_mann_whitney_match_the_reference(a: list[float], b: list[float]) -> None:
    result = compare_groups("m", a, b)
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    assert result.difference == pytest.approx(ma - mb)
    assert (result.group.n, result.other.n) == (len(a), len(b))
    if mb:
        assert result.relative == pytest.approx(ma / mb - 1)
    else:
        assert result.relative is None
    if len(set(a) | set(b)) > 1:
        want = mannwhitneyu(a, b, alternative="two-sided").pvalue
        assert result.p_value == pytest.approx(want)
    assert result.difference_ci is not None
    small = len(a) < MIN_GROUP or len(b) < MIN_GROUP
    assert bool(result.warnings) == small


def test_permutation_p_matches_exhaustive_enumeration() -> None:
    """Small groups: the Monte Carlo p-value approaches the exact one (all splits)."""
    a, b = [3.0, 5.0, 6.0, 7.0], [1.0, 2.0, 2.0, 4.0, 3.0]
    pooled = a + b
    observed = abs(np.mean(a) - np.mean(b))
    hits = total = 0
    for idx in itertools.combinations(range(len(pooled)), len(a)):
        g = [pooled[i] for i in idx]
        o = [pooled[i] for i in range(len(pooled)) if i not in idx]
        total += 1
        hits += abs(np.mean(g) - np.mean(o)) >= observed - 1e-12
    exact = hits / total
    p = permutation_p(np.array(a), np.array(b), seed=1, permutations=20000)
    assert p == pytest.approx(exact, abs=0.01)


def test_tiny_groups_get_a_warning_and_no_statistics() -> None:
    result = compare_groups("weekly engagement", [1.0], [2.0, 3.0, 4.0])
    assert result.difference is None and result.p_value is None
    assert any("too small" in w for w in result.warnings)
    assert "cannot be compared" in result.summary("Participants who talk about X", "others")


def test_summary_sentence_names_size_interval_and_n() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(2.0, 1.0, 40)
    b = rng.normal(2.5, 1.0, 60)
    text = compare_groups("weekly engagement", a, b).summary(
        "Participants who talk about data sync", "other participants"
    )
    assert text.startswith("Participants who talk about data sync have ")
    assert "lower weekly engagement than other participants" in text
    assert "95% CI" in text and "n = 40 vs 60" in text and "Warning" not in text


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="unknown test"):
        compare_groups("m", [1.0, 2.0], [1.0, 2.0], test="t-test")
    with pytest.raises(ValueError, match="finite"):
        compare_groups("m", [1.0, float("nan")], [1.0, 2.0])
