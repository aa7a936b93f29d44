"""Monitor rules: threshold, swing (with its significance test and minimum sample) and
seasonal anomaly, each explaining itself in one sentence; the swing rule against a
plain reference computation."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from fieldnote.monitors import (
    AnomalyRule,
    MetricPoint,
    MetricSeries,
    SwingRule,
    ThresholdRule,
    parse_rule,
)

DAY0 = date(2026, 1, 1)


def _rates(pairs: list[tuple[int, int]]) -> MetricSeries:
    return MetricSeries(
        "activation",
        True,
        tuple(MetricPoint(DAY0 + timedelta(days=i), x / n, x, n) for i, (x, n) in enumerate(pairs)),
    )


def _counts(values: list[float]) -> MetricSeries:
    return MetricSeries(
        "signups",
        False,
        tuple(MetricPoint(DAY0 + timedelta(days=i), v, v) for i, v in enumerate(values)),
    )


def test_threshold_fires_with_the_day_it_started() -> None:
    series = _rates([(40, 100)] * 5 + [(20, 100)] * 3)
    ev = ThresholdRule("below", 0.3).evaluate(series)
    assert ev.fired and ev.direction == "down" and ev.since == DAY0 + timedelta(days=5)
    assert ev.reason == (
        "activation was 20.0% on 2026-01-08, below the threshold of 30.0%, "
        "and has been since 2026-01-06."
    )
    assert not ThresholdRule("above", 0.3).evaluate(series).fired


def test_swing_needs_significance_and_sample_size() -> None:
    base, recent = [(40, 100)] * 28, [(30, 100)] * 7
    ev = SwingRule(percent=10).evaluate(_rates(base + recent))
    assert ev.fired and ev.direction == "down" and ev.since == DAY0 + timedelta(days=28)
    assert "went down 25% (40.0% → 30.0%)" in ev.reason and ev.reason.endswith(".")
    small = [(4, 10)] * 28 + [(3, 10)] * 7
    few = SwingRule(percent=10, min_sample=100).evaluate(_rates(small))
    assert not few.fired and "too few users" in few.reason
    quiet = SwingRule(percent=30).evaluate(_rates(base + recent))
    assert not quiet.fired and "within the 30%" in quiet.reason
    up_only = SwingRule(percent=10, direction="up").evaluate(_rates(base + recent))
    assert not up_only.fired


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), min_size=35, max_size=40),
)
def test_swing_on_rates_matches_reference(raw: list[tuple[int, int]]) -> None:
    pairs = [(min(x, n), n) for x, n in raw]
    pairs = [(x, n) if n else (0, 1) for x, n in pairs]
    rule = SwingRule(percent=10, min_sample=50)
    ev = rule.evaluate(_rates(pairs))
    recent, base = pairs[-7:], pairs[-35:-7]
    x0, n0 = sum(x for x, _ in base), sum(n for _, n in base)
    x1, n1 = sum(x for x, _ in recent), sum(n for _, n in recent)
    p0, p1 = x0 / n0, x1 / n1
    pooled = (x0 + x1) / (n0 + n1)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    p = 2 * stats.norm.sf(abs(p1 - p0) / se) if se else None
    change = (p1 - p0) / p0 if p0 else (math.inf if p1 else 0.0)
    fired = abs(change) >= 0.10 and p is not None and p < 0.05 and min(n0, n1) >= 50
    assert ev.fired == fired
    if p is not None:
        assert ev.p_value == pytest.approx(p, rel=1e-6, abs=1e-12)


def test_swing_on_counts_uses_a_poisson_test() -> None:
    ev = SwingRule(percent=10).evaluate(_counts([1000.0] * 28 + [850.0] * 7))
    assert ev.fired and ev.direction == "down" and ev.p_value is not None
    assert ev.p_value < 1e-6
    flat = SwingRule(percent=10).evaluate(_counts([10.0] * 28 + [8.0] * 7))
    assert not flat.fired  # 20 % of a handful is noise


def test_anomaly_rule_fires_on_a_recent_seasonal_outlier() -> None:
    rng = np.random.default_rng(5)
    t = np.arange(120)
    values = (1000 * np.where(t % 7 >= 5, 0.5, 1.0) * rng.normal(1, 0.03, 120)).tolist()
    assert not AnomalyRule().evaluate(_counts(values)).fired
    values[-1] *= 0.3
    ev = AnomalyRule().evaluate(_counts(values))
    assert ev.fired and ev.direction == "down" and ev.since == DAY0 + timedelta(days=119)
    assert ev.reason.startswith("signups on 2026-04-30: ")


def test_bad_rules_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="unknown rule 'nope'"):
        parse_rule({"rule": "nope"})
    with pytest.raises(ValueError, match="unknown detector"):
        parse_rule({"rule": "anomaly", "detector": "prophet"})
    with pytest.raises(ValueError, match="missing"):
        parse_rule({"rule": "threshold"})
    with pytest.raises(ValueError, match="direction"):
        parse_rule({"rule": "swing", "direction": "sideways"})
