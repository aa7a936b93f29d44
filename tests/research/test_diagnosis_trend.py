"""Time-to-diagnosis per question and its weekly median trend, against a plain reference."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.research import QuestionTimes, diagnosis_trend, time_to_diagnosis

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday


def _q(i: int, opened_h: float, diag_h: float | None) -> QuestionTimes:
    return QuestionTimes(
        question_id=i,
        opened_at=T0 + timedelta(hours=opened_h),
        diagnosed_at=None if diag_h is None else T0 + timedelta(hours=opened_h + diag_h),
    )


def test_weeks_medians_counts_and_open_questions() -> None:
    qs = [_q(1, 0, 10), _q(2, 0, 30), _q(3, 0, 50), _q(4, 0, None), _q(5, 24 * 7, 2)]
    weeks = diagnosis_trend(qs)
    assert [w.week_start for w in weeks] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert (weeks[0].count, weeks[0].median_hours, weeks[0].small_sample) == (3, 30.0, False)
    assert (weeks[1].count, weeks[1].median_hours, weeks[1].small_sample) == (1, 2.0, True)
    assert time_to_diagnosis(qs[3]) is None
    assert diagnosis_trend([]) == []


def test_diagnosed_before_opened_is_an_error() -> None:
    with pytest.raises(ValueError, match="question 7 is diagnosed before it was opened"):
        diagnosis_trend([_q(7, 5, -1)])


def _reference(qs: list[QuestionTimes]) -> dict[date, tuple[int, float]]:
    groups: dict[date, list[float]] = {}
    for q in qs:
        if q.diagnosed_at is None:
            continue
        d = q.diagnosed_at.date()
        monday = date.fromordinal(d.toordinal() - d.weekday())
        groups.setdefault(monday, []).append((q.diagnosed_at - q.opened_at).total_seconds() / 3600)
    out = {}
    for k, v in groups.items():
        v = sorted(v)
        n = len(v)
        out[k] = (n, v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2)
    return out


@given(
    st.lists(
        st.tuples(
            st.integers(0, 24 * 60),
            st.one_of(st.none(), st.integers(0, 24 * 30)),
        ),
        max_size=40,
    )
)
def test_matches_reference(raw: list[tuple[int, int | None]]) -> None:
    qs = [_q(i, o, d) for i, (o, d) in enumerate(raw)]
    got = diagnosis_trend(qs)
    ref = _reference(qs)
    assert [w.week_start for w in got] == sorted(ref)
    for w in got:
        assert w.count == ref[w.week_start][0]
        assert w.median_hours == pytest.approx(ref[w.week_start][1])
