"""Every supported transcript format, parsed from realistic exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldnote.interviews import MarkKind, Role
from fieldnote.interviews.transcripts import (
    TranscriptError,
    detect_format,
    parse_transcript,
    read_transcripts,
)
from tests.interviews.transcript_samples import write_docx, write_samples


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    return write_samples(tmp_path / "in")


def parse(path: Path, **kw: str):  # type: ignore[no-untyped-def]
    return parse_transcript(str(path), path.read_bytes(), **kw)


def test_zoom_vtt_merges_cues_maps_roles_and_marks_hesitation(samples: dict[str, Path]) -> None:
    iv = parse(samples["zoom.vtt"])
    assert iv.format == "vtt"
    assert [(u.speaker, u.role) for u in iv.utterances] == [
        ("Dana Reyes", Role.INTERVIEWER),
        ("Sam Okafor", Role.PARTICIPANT),
        ("Dana Reyes", Role.INTERVIEWER),
        ("Sam Okafor", Role.PARTICIPANT),
    ]
    answer = iv.utterances[1]
    assert (answer.start, answer.end) == (10.3, 19.5)  # two cues, one turn, ms kept
    assert (
        answer.text.startswith("Um, so that was last Tuesday") and "admin of HubSpot" in answer.text
    )
    kinds = {m.kind: m for m in answer.marks}
    assert kinds[MarkKind.PAUSE].seconds == pytest.approx(4.5)  # 5.8 → 10.3
    assert kinds[MarkKind.FILLER].detail == "um"
    assert kinds[MarkKind.SELF_CORRECTION].detail == "I mean"
    assert not any(m.kind is MarkKind.PAUSE for m in iv.utterances[3].marks)  # 0.8 s
    assert {s.name: s.reason for s in iv.speakers} == {
        "Dana Reyes": "asks the questions",
        "Sam Okafor": "answers the questions",
    }


def test_teams_vtt_voice_spans(samples: dict[str, Path]) -> None:
    iv = parse(samples["teams.vtt"])
    assert [(u.speaker, u.role.value, u.start) for u in iv.utterances] == [
        ("Interviewer", "interviewer", 0.0),
        ("Priya Nair", "participant", 4.1),
    ]
    assert iv.speakers[0].reason == "role word"


def test_srt_with_role_labels(samples: dict[str, Path]) -> None:
    iv = parse(samples["meet.srt"])
    assert iv.format == "srt"
    assert [u.role for u in iv.utterances] == [Role.INTERVIEWER, Role.PARTICIPANT]
    assert iv.utterances[1].marks[0].kind is MarkKind.PAUSE  # 4.5 s


def test_otter_blocks_are_sniffed_from_a_txt(samples: dict[str, Path]) -> None:
    iv = parse(samples["otter.txt"])
    assert iv.format == "otter"
    lee = iv.participant_utterances
    assert [u.start for u in lee] == [6.0, 25.0]
    assert lee[0].text == "Mostly screenshots. You know, it's quick. Sometimes a PDF on Fridays."
    assert lee[0].end == 21.0  # a block ends where the next starts
    assert lee[1].marks[-1].kind is MarkKind.SELF_CORRECTION  # "the the"


def test_plain_name_lines_with_continuations(samples: dict[str, Path]) -> None:
    iv = parse(samples["notes.txt"], participant="Maria")
    assert iv.format == "text"
    assert (
        iv.utterances[1].text
        == "I open the dashboard before email. Then I check Slack for questions."
    )
    assert iv.utterances[1].start is None
    assert {s.name: (s.role, s.reason) for s in iv.speakers}["Maria Costa"] == (
        Role.PARTICIPANT,
        "by name",
    )


def test_json_with_seconds_and_clock_times(samples: dict[str, Path]) -> None:
    iv = parse(samples["whisper.json"])
    assert [u.start for u in iv.utterances] == [0.0, 8.0, 11.0, 12.4]
    assert iv.participant_utterances[0].marks[0].seconds == pytest.approx(5.5)


def test_docx_with_teams_headers(samples: dict[str, Path]) -> None:
    iv = parse(samples["teams.docx"])
    assert iv.format == "docx"
    assert [(u.speaker, u.role.value, u.start) for u in iv.utterances] == [
        ("Ana Silva", "interviewer", 3.0),
        ("Tom Berg", "participant", 9.0),
    ]


def test_docx_with_name_lines(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "t.docx", ["Moderator: What happened?", "Jo: It failed."])
    assert [u.role for u in parse(path).utterances] == [Role.INTERVIEWER, Role.PARTICIPANT]


def test_interviewer_names_override_question_counting(samples: dict[str, Path]) -> None:
    # Lee asks nothing, Dana asks everything, but the researcher says Lee moderated.
    iv = parse(samples["otter.txt"], interviewers=("Lee Wong",))
    assert {s.name: s.role for s in iv.speakers}["Lee Wong"] is Role.INTERVIEWER


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", b'{"utterances": [', "bad.json:1: invalid JSON"),
        ("bad2.json", b'[{"speaker": "A"}]', "item 0: no 'text' string"),
        ("neg.json", b'[{"speaker": "A", "text": "x", "start": -3}]', "item 0: negative time"),
        ("bad.vtt", b"WEBVTT\n\n00:00:01.000 --> nonsense\nhi\n", "not a valid VTT file"),
        ("empty.txt", b"   \n", "the file is empty"),
        ("latin1.txt", "Ana: caf\u00e9".encode("latin-1"), "not UTF-8 text (byte 8)"),
        ("otter.txt", b"Dana  0:00\nhi\n", None),
        (
            "orphan.txt",
            b"just some words without a speaker\n",
            "orphan.txt:1: expected 'Name: text'",
        ),
        ("fake.docx", b"PK\x03\x04 not really a zip", "not a readable DOCX file"),
    ],
)
def test_bad_files_get_precise_errors(
    tmp_path: Path, name: str, content: bytes, message: str | None
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    if message is None:
        assert parse(path).utterances
        return
    with pytest.raises(TranscriptError) as err:
        parse(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_one_bad_file_does_not_stop_the_others(samples: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "broken.srt"
    bad.write_text("1\n00:00:01,000 --> garbage\nhello\n")
    outcome = read_transcripts([*samples.values(), bad, tmp_path / "missing.vtt"])
    assert len(outcome.interviews) == len(samples)
    assert [e.source for e in outcome.errors] == [str(bad), str(tmp_path / "missing.vtt")]
    assert outcome.errors[1].reason == "no such file"


def test_detection_prefers_extension_then_content() -> None:
    assert detect_format("x.vtt", b"whatever").name == "vtt"
    assert detect_format("x.txt", b"WEBVTT\n\n").name == "vtt"
    assert detect_format("x", b"1\n00:00:01,000 --> 00:00:02,000\nA: b\n").name == "srt"
    assert detect_format("x.txt", b"Dana  0:00\nhello\n").name == "otter"
    assert detect_format("x.txt", b"Dana: hello\n").name == "text"
    assert detect_format("x.log", b'[{"text": "a"}]').name == "json"


def test_same_content_same_id_other_project_other_id(samples: dict[str, Path]) -> None:
    a = parse(samples["zoom.vtt"])
    assert parse(samples["zoom.vtt"]).id == a.id
    assert parse(samples["zoom.vtt"], project="other").id != a.id
