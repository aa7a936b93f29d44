"""The interval and the test every result reports, against scipy's implementations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest, norm

from fieldnote.analytics._stats import Z_95, two_proportion_test, wilson_interval

trials = st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


def test_z_95_is_the_normal_quantile() -> None:
    assert norm.ppf(0.975) == pytest.approx(Z_95, abs=1e-12)


@given(trials)
def test_wilson_interval_equals_scipy(xn: tuple[int, int]) -> None:
    x, n = xn
    ci = wilson_interval(x, n)
    want = binomtest(x, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert ci is not None
    assert (ci.low, ci.high) == (
        pytest.approx(want.low, abs=1e-9),
        pytest.approx(want.high, abs=1e-9),
    )
    assert wilson_interval(0, 0) is None


@given(trials, trials)
def test_two_proportion_test_equals_the_pooled_z_test(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    (x1, n1), (x2, n2) = a, b
    result = two_proportion_test(x1, n1, x2, n2)
    pooled = (x1 + x2) / (n1 + n2)
    se = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)) ** 0.5
    assert result.difference == pytest.approx(x2 / n2 - x1 / n1)
    if se == 0:
        assert result.p_value is None
        return
    z = (x2 / n2 - x1 / n1) / se
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * norm.sf(abs(z)), rel=1e-9, abs=1e-300)


@given(st.integers(min_value=1, max_value=10_000))
def test_wilson_bounds_are_exact_at_zero_and_all_successes(trials: int) -> None:
    none, every = wilson_interval(0, trials), wilson_interval(trials, trials)
    assert none is not None and none.low == 0.0
    assert every is not None and every.high == 1.0
