"""A researcher's placements (pins) win on every run: move, merge, split."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.synthesis import Note, synthesize
from fieldnote.synthesis._corrections import apply_pins
from tests.synthesis._corpus import planted


def _theme_of(result: object) -> dict[str, str | None]:
    return {a.note_id: a.theme for a in result.assignments}


def test_moved_note_stays_where_the_researcher_put_it() -> None:
    notes, _ = planted()
    first = synthesize(notes)
    theme_of = _theme_of(first)
    note = next(n.id for n in notes if theme_of[n.id] is not None)
    target = next(t.id for t in first.themes if t.id != theme_of[note])
    second = synthesize(notes, prior=first.as_prior(), pins={note: target, "noise-0": None})
    assert _theme_of(second)[note] == target
    assert _theme_of(second)["noise-0"] is None


def test_merge_holds_on_rerun_and_split_creates_a_theme() -> None:
    notes, _ = planted()
    first = synthesize(notes)
    a, b = first.themes[0].id, first.themes[1].id
    theme_of = _theme_of(first)
    pins = {n: a for n, t in theme_of.items() if t in (a, b)}
    merged = synthesize(notes, prior=first.as_prior(), pins=pins)
    after = _theme_of(merged)
    assert {after[n] for n in pins} == {a}
    assert b not in {t.id for t in merged.themes}
    label_a = {t.id: t.label for t in first.themes}[a]
    assert {t.id: t.label for t in merged.themes}[a] == label_a
    # split: two notes of a go to a new theme id
    two = sorted(pins)[:2]
    split = synthesize(notes, prior=merged.as_prior(), pins={**pins, **dict.fromkeys(two, "t900")})
    assert {_theme_of(split)[n] for n in two} == {"t900"}
    assert next(t for t in split.themes if t.id == "t900").size == 2


@given(
    st.lists(st.integers(-1, 2), min_size=1, max_size=12),
    st.dictionaries(st.integers(0, 11), st.sampled_from(["c0", "c1", "x", None]), max_size=6),
)
def test_pins_always_win_and_ids_are_consistent(
    raw: list[int], pin_at: dict[int, str | None]
) -> None:
    notes = [Note(f"n{i}", "text", "s") for i in range(len(raw))]
    pins = {f"n{i}": t for i, t in pin_at.items() if i < len(raw)}
    labels, ids = apply_pins(np.array(raw, dtype=np.int64), ["c0", "c1", "c2"], notes, pins)
    final = {
        n.id: (ids[c] if c >= 0 else None) for n, c in zip(notes, labels.tolist(), strict=True)
    }
    for note_id, theme in pins.items():
        assert final[note_id] == theme
    assert len(ids) == len(set(ids)) and set(ids) == {t for t in final.values() if t is not None}
