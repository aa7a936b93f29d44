"""Every writer is the inverse of its parser."""

from __future__ import annotations

import pytest

from fieldnote.interviews.demo import demo_interviews
from fieldnote.interviews.transcripts import WRITERS, parse_transcript


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_round_trip(fmt: str) -> None:
    original = demo_interviews(2, seed=3)[1]
    writer = WRITERS[fmt]
    back = parse_transcript(
        f"x{writer.extension}",
        writer.write(original),
        participant=original.participant,
    )
    assert [(u.speaker, u.role, u.text) for u in back.utterances] == [
        (u.speaker, u.role, u.text) for u in original.utterances
    ]
    if fmt == "text":
        assert all(u.start is None for u in back.utterances)
    elif fmt in {"otter", "docx"}:  # whole seconds
        assert [int(u.start or 0) for u in back.utterances] == [
            int(u.start or 0) for u in original.utterances
        ]
    else:  # millisecond precision
        assert [u.start for u in back.utterances] == pytest.approx(
            [u.start for u in original.utterances], abs=1e-3
        )
        assert [m.kind for u in back.utterances for m in u.marks] == [
            m.kind for u in original.utterances for m in u.marks
        ]
