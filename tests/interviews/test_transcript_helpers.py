"""Clock parsing and hesitation marks against plain references."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldnote.interviews import MarkKind
from fieldnote.interviews.transcripts import PAUSE_SECONDS, hesitation_marks, parse_clock


@given(
    st.integers(0, 99),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 999),
    st.sampled_from([".", ","]),
)
def test_parse_clock_matches_arithmetic(h: int, m: int, s: int, ms: int, sep: str) -> None:
    text = f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"
    assert parse_clock(text) == h * 3600 + m * 60 + s + ms / 1000


@given(st.integers(0, 600), st.integers(0, 59))
def test_parse_clock_minutes_seconds(m: int, s: int) -> None:
    assert parse_clock(f"{m}:{s:02d}") == m * 60 + s


def test_parse_clock_rejects_non_clocks() -> None:
    assert [parse_clock(x) for x in ["", "1:2", "0:61", "1:60:00", "abc", "12"]] == [None] * 6


@given(st.floats(0, 30, allow_nan=False))
def test_pause_mark_iff_gap_reaches_threshold(gap: float) -> None:
    marks = hesitation_marks("Fine.", gap=gap)
    assert any(m.kind is MarkKind.PAUSE for m in marks) == (gap >= PAUSE_SECONDS)


def test_fillers_and_corrections() -> None:
    kinds = {m.kind: m.detail for m in hesitation_marks("Uh, I- I think, no wait, um", gap=None)}
    assert kinds[MarkKind.FILLER] == "uh, um"
    assert (
        "no wait" in kinds[MarkKind.SELF_CORRECTION] and "I- I" in kinds[MarkKind.SELF_CORRECTION]
    )
    assert hesitation_marks("We checked the numbers on Monday.", gap=1.0) == ()
