"""The funnel page's numbers (bars, rates, drop-offs, small-sample flags) checked with
hypothesis against a plain recomputation from the step counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldnote.analytics.funnels import Funnel, FunnelAggregate, FunnelStep
from fieldnote.analytics.funnels._result import build_result
from fieldnote.web.pages._funnel_view import SMALL_SAMPLE, step_views


@st.composite
def counts(draw: st.DrawFn) -> list[int]:
    n = draw(st.integers(min_value=2, max_value=6))
    out = [draw(st.integers(min_value=0, max_value=5000))]
    for _ in range(n - 1):
        out.append(draw(st.integers(min_value=0, max_value=out[-1])))
    return out


@given(counts())
def test_step_views_match_a_plain_recomputation(c: list[int]) -> None:
    funnel = Funnel(steps=tuple(FunnelStep(f"e{i}") for i in range(len(c))))
    agg = FunnelAggregate(
        total=True, breakdown_value=None, counts=tuple(c), seconds=(None,) * len(c)
    )
    views = step_views(build_result(funnel, [agg]).steps)
    for i, v in enumerate(views):
        prev = c[i - 1] if i else c[0]
        assert v.count == c[i]
        assert v.bar == (round(100.0 * c[i] / c[0], 2) if c[0] else 0.0)
        assert v.dropped == prev - c[i]
        assert v.small_sample == (i > 0 and prev < SMALL_SAMPLE)
        if i and prev:
            assert v.from_previous == f"{c[i] / prev * 100:.1f} %"
            assert v.from_previous_ci  # an interval whenever there is a base
        if i == 0:
            assert v.from_previous == "" and v.median == "—"
