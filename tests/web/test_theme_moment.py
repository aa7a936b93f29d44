"""Which utterance a quote link opens at, and the affinity map's status line."""

from __future__ import annotations

from fieldnote.interviews import Interview, Role, Utterance
from fieldnote.web.pages._theme_pages import done_message, moment_of


def _interview(timed: bool) -> Interview:
    turns = [
        ("Mod", Role.INTERVIEWER, "How do you share the report?", 0.0),
        ("Ana", Role.PARTICIPANT, "I export it to Excel every Monday.", 4.0),
        ("Mod", Role.INTERVIEWER, "Why Monday?", 4.0),
        ("Ana", Role.PARTICIPANT, "Because finance   asks for it.", 9.5),
    ]
    return Interview(
        id="iv",
        source="test",
        format="json",
        utterances=tuple(
            Utterance(index=i, speaker=w, role=r, text=x, start=t if timed else None)
            for i, (w, r, x, t) in enumerate(turns)
        ),
    )


def test_nearest_start_prefers_the_participant_on_a_tie() -> None:
    assert moment_of(_interview(True), 4.0, "") == 1
    assert moment_of(_interview(True), 9.0, "anything") == 3


def test_without_times_the_words_find_the_utterance() -> None:
    assert moment_of(_interview(False), None, "finance asks for it") == 3
    assert moment_of(_interview(False), 12.0, "not said") is None


def test_status_line_only_from_known_changes_and_plain_ids() -> None:
    assert done_message({"done": "split", "theme": "t7", "n": "2"}) == "Split 2 note(s) into t7."
    assert done_message({"done": "move", "n": "1"}) == "Moved 1 note(s)."
    assert done_message({"done": "rename", "theme": "t1 <b>"}) == ""
    assert done_message({"done": "delete"}) == ""
    assert done_message({}) == ""
