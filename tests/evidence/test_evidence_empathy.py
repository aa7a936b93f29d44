"""The empathy-map classifier: documented rules, first match wins, traceable."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldnote.evidence._empathy import EMPATHY_RULES, QUADRANTS, classify, empathy_map


def test_each_quadrant_from_its_own_words() -> None:
    assert classify("I was so frustrated with the setup") == ("feels", "frustrated")
    assert classify("I think only admins can do that") == ("thinks", "I think")
    assert classify("We ended up asking IT")[0] == "does"
    assert classify("I usually export it to a spreadsheet")[0] == "does"
    assert classify("The button is blue") == ("says", None)


def test_a_feeling_wins_over_a_belief_and_a_belief_over_behaviour() -> None:
    assert classify("I think I'm worried about it")[0] == "feels"
    assert classify("I guess we just use a spreadsheet")[0] == "thinks"


# plain words that none of the rules mention
neutral = st.lists(
    st.sampled_from(["the", "button", "page", "blue", "form", "was", "a", "green", "it"]),
    max_size=12,
).map(" ".join)


@given(prefix=neutral, suffix=neutral, word=st.sampled_from(["annoyed", "worried", "love"]))
def test_an_emotion_word_anywhere_makes_it_feels(prefix: str, suffix: str, word: str) -> None:
    assert classify(f"{prefix} {word} {suffix}") == ("feels", word)


@given(text=neutral)
def test_text_without_markers_is_a_quote(text: str) -> None:
    assert classify(text) == ("says", None)


@given(text=st.text(max_size=80))
def test_the_result_is_the_first_matching_rule(text: str) -> None:
    quadrant, because = classify(text)
    assert quadrant in QUADRANTS
    first = next((r for r in EMPATHY_RULES if r.pattern.search(text)), None)
    assert quadrant == (first.quadrant if first else "says")
    assert (because is None) == (first is None)


def test_the_map_spreads_entries_over_participants() -> None:
    notes = [(f"a{i}", f"I was annoyed {i}", "ann") for i in range(5)]
    notes += [("b1", "I was annoyed too", "bob")]
    got = empathy_map(notes, per_quadrant=2)
    assert [e.participant for e in got.feels] == ["ann", "bob"]
    assert got.to_dict()["feels"][1]["because"] == "annoyed"
