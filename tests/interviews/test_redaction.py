"""Redaction on realistic transcripts: personal data goes, the substance stays."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from fieldnote.interviews import Role
from fieldnote.interviews.redaction import (
    RedactionContext,
    luhn_valid,
    redact_interview,
    redact_text,
)
from fieldnote.interviews.transcripts import parse_transcript

SESSION = """WEBVTT

00:00:01.000 --> 00:00:04.000
Dana Reyes: Hi Sam, thanks for joining. Tell me about the last time you connected a tool.

00:00:06.500 --> 00:00:15.000
Sam Okafor: Sure. Last Tuesday I tried HubSpot from my iPhone. It said only an admin can install it, so I emailed my manager Jessica Parker at jessica.parker@northwind.co.uk.

00:00:15.500 --> 00:00:17.000
Dana Reyes: What happened next?

00:00:18.000 --> 00:00:30.000
Sam Okafor: She forwarded me https://app.hubspot.example/oauth/authorize?client_id=pb&state=x&code=8f3kq9ZZ2 but it had expired. I called IT on +44 20 7946 0958, gave my employee ID 88-41273, and they asked for my card 5500 0000 0000 0004 for the upgrade, which, um, felt odd. Okafor with one f, by the way.

00:00:31.000 --> 00:00:33.000
Dana Reyes: How long did all that take?

00:00:34.000 --> 00:00:40.000
Sam Okafor: Two days. We had 14 dashboards and 3 reports due on 2026-03-02 at 10:30, so I used Google Sheets instead. My SSN? No, they didn't need 078-05-1120, thankfully. Docs are at https://pulseboard.example/docs/integrations.
"""


def _session(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "session.vtt"
    path.write_text(SESSION, encoding="utf-8")
    return parse_transcript(str(path), path.read_bytes(), participant="Sam Okafor")


def test_realistic_session_is_masked(tmp_path: Path) -> None:
    raw = _session(tmp_path)
    red = redact_interview(raw)
    text = "\n".join(u.text for u in red.utterances)
    for secret in [
        "Sam",
        "Okafor",
        "Jessica",
        "Parker",
        "jessica.parker@northwind.co.uk",
        "code=8f3kq9ZZ2",
        "7946 0958",
        "88-41273",
        "5500 0000 0000 0004",
        "078-05-1120",
    ]:
        assert secret not in text, secret
    assert "Hi [PARTICIPANT], thanks" in text
    assert "my manager [NAME] at [EMAIL]" in text
    assert "She forwarded me [URL] but" in text
    assert "[PHONE]" in text and "employee ID [ID]" in text and "my card [CARD]" in text
    # The substance stays: products, counts, dates, times, harmless URLs.
    for kept in ["HubSpot", "iPhone", "14 dashboards", "2026-03-02 at 10:30", "Google Sheets"]:
        assert kept in text
    assert "https://pulseboard.example/docs/integrations" in text
    # Speaker labels: the participant is anonymous, the interviewer (staff) is kept.
    assert [u.speaker for u in red.utterances[:2]] == ["Dana Reyes", "Participant"]
    assert red.participant == "[PARTICIPANT]"
    assert [s.name for s in red.speakers if s.role is Role.PARTICIPANT] == ["Participant"]
    # Times, roles and marks are untouched; the raw interview is unchanged.
    assert [(u.start, u.role, u.marks) for u in red.utterances] == [
        (u.start, u.role, u.marks) for u in raw.utterances
    ]
    assert "Jessica Parker" in raw.utterances[1].text


def test_spoken_names_by_cue() -> None:
    out = redact_text("I asked Dr. Nguyen and my colleague Ravi, then Priya Nair on Monday.").text
    assert out == "I asked [NAME] and my colleague [NAME], then [NAME] on Monday."


def test_nothing_personal_nothing_changed() -> None:
    text = "We export 45 charts every Friday at 9:30 and paid $1,200 in 2025 (order 12345)."
    assert redact_text(text).text == text


def test_known_names_only_as_whole_words() -> None:
    ctx = RedactionContext(participant_names=("Ana Lima",))
    assert redact_text("Ana said the banana analysis was fine, Lima too.", ctx).text == (
        "[PARTICIPANT] said the banana analysis was fine, [PARTICIPANT] too."
    )


def luhn_reference(number: str) -> bool:
    """Textbook Luhn: double every second digit from the right, sum the digits."""
    digits = [int(c) for c in number][::-1]
    total = 0
    for i, d in enumerate(digits):
        if i % 2:
            d *= 2
            total += d // 10 + d % 10
        else:
            total += d
    return total % 10 == 0


@given(st.text(alphabet="0123456789", min_size=1, max_size=19))
def test_luhn_matches_reference(number: str) -> None:
    assert luhn_valid(number) == luhn_reference(number)


@given(st.integers(10**12, 10**16 - 1))
def test_card_masked_iff_luhn_valid(n: int) -> None:
    digits = str(n)
    spaced = " ".join(re.findall(".{1,4}", digits))
    out = redact_text(f"my card is {spaced} ok").text
    if luhn_reference(digits):
        assert out == "my card is [CARD] ok"
    else:
        assert "[CARD]" not in out
