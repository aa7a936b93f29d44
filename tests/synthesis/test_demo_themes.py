"""Issue 8, item 8: on the demo interviews the admin-access theme should come out on top.

Computed from the generated interviews through the default pipeline, nothing scripted:
the generator paraphrases (each participant tells the admin episode in their own
words, among two or three unrelated topics), and nothing in synthesis knows the demo.
"""

from __future__ import annotations

import re

import pytest

from fieldnote.interviews.demo import demo_interviews
from fieldnote.synthesis import Synthesis, notes_from_interviews, synthesize

_ADMIN = re.compile(r"\b(?:admin\w*|permission\w*|rights|access|approv\w*)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo() -> Synthesis:
    return synthesize(notes_from_interviews(demo_interviews()))


def test_agreeing_with_a_summary_is_not_the_top_praise(demo: Synthesis) -> None:
    # "Uh, yes. And that it happens more on the phone..." was ranked first as praise
    # because VADER scores "yes"; leading markers no longer count as sentiment.
    top = demo.themes[0]
    assert not (top.kind == "praise" and all(q.text.split()[-1] == "laptop." for q in top.quotes))


def test_admin_blockers_are_felt_strongly(demo: Synthesis) -> None:
    theme_of = {a.note_id: a.theme for a in demo.assignments}
    by_id = {t.id: t for t in demo.themes}
    admin = [n for n in demo.notes if "admin permission" in n.text and theme_of[n.id]]
    assert admin
    for note in admin:  # VADER scores these 0.0; the blocker floor lifts their theme
        assert by_id[str(theme_of[note.id])].intensity >= 0.5


def test_admin_access_theme_on_top(demo: Synthesis) -> None:
    top = demo.themes[0]
    people = {q.participant for q in top.quotes}
    assert _ADMIN.search(top.label), top.label
    assert len(people) >= 3
    # the quotes come from mobile participants who hit the admin screen themselves
    hit = {
        n.participant for n in demo.notes if "admin" in n.text.lower() and n.participant is not None
    }
    assert people <= hit
    assert top.participants >= 8 and top.kind in {"pain point", "observation", "unmet need"}
    texts = {n.id: n.text for n in demo.notes}
    members = [texts[a.note_id] for a in demo.assignments if a.theme == top.id]
    assert sum(bool(_ADMIN.search(t)) for t in members) >= len(members) / 2
