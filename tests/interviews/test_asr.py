"""Speech-to-text import: the faster-whisper adapter's error paths (no download ever:
a missing folder, a folder without a model, a missing package), and recognised
segments → utterances through the ``Transcriber`` protocol with a transcriber that
replays recorded output, with and without diarisation (RTTM)."""

from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

import pytest

from fieldnote.interviews import MarkKind, Role
from fieldnote.interviews.transcripts import (
    AsrError,
    FasterWhisperTranscriber,
    Segment,
    TranscriptError,
    assign_speakers,
    read_rttm,
    transcribe_file,
)
from tests.conftest import run_cli

#: What a Whisper model recognised in a 45-second interview excerpt (start, end, text).
RECORDED = [
    (0.0, 4.2, "So tell me about the last time you opened Pulseboard on your phone."),
    (9.8, 16.4, "Um, it was Tuesday, I wanted to connect HubSpot from the train."),
    (16.9, 22.0, "It said I need an admin, I mean, the HubSpot admin, and I'm not one."),
    (22.5, 25.1, "What did you do then?"),
    (26.0, 31.7, "I took a screenshot and sent it to Priya, our admin, and waited."),
]
RTTM = """\
SPEAKER excerpt 1 0.00 4.40 <NA> <NA> spk_0 <NA> <NA>
SPEAKER excerpt 1 9.70 12.50 <NA> <NA> spk_1 <NA> <NA>
SPEAKER excerpt 1 22.40 2.80 <NA> <NA> spk_0 <NA> <NA>
SPEAKER excerpt 1 25.90 6.00 <NA> <NA> spk_1 <NA> <NA>
"""


class RecordedTranscriber:
    """Replays a model's recorded output; counts calls so tests see it was used."""

    name = "recorded"

    def __init__(self, rows: list[tuple[float, float, str]]) -> None:
        self.rows = rows
        self.calls: list[Path] = []

    def transcribe(self, audio: Path) -> list[Segment]:
        self.calls.append(audio)
        return [Segment(start=a, end=b, text=t) for a, b, t in self.rows]


def _wav(path: Path, seconds: float = 1.0) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * int(16000 * seconds))
    return path


def test_model_folder_is_checked_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(AsrError, match=r"--asr-model .*nowhere: no such folder"):
        FasterWhisperTranscriber(tmp_path / "nowhere")
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(AsrError, match="not a folder"):
        FasterWhisperTranscriber(tmp_path / "model.bin")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AsrError, match=r"no model\.bin inside"):
        FasterWhisperTranscriber(tmp_path / "empty")


def test_a_missing_package_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.bin").write_bytes(b"not really a model")
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # import fails as if absent
    transcriber = FasterWhisperTranscriber(model)
    with pytest.raises(AsrError, match=r"pip install 'fieldnote\[asr\]'"):
        transcribe_file(transcriber, _wav(tmp_path / "a.wav"))


def test_a_broken_model_folder_is_refused_by_the_real_library(tmp_path: Path) -> None:
    pytest.importorskip("faster_whisper")
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.bin").write_bytes(b"not a CTranslate2 model")
    with pytest.raises(AsrError, match=r"model: cannot load"):
        transcribe_file(FasterWhisperTranscriber(model), _wav(tmp_path / "a.wav"))


def test_segments_without_diarisation_are_the_participant(tmp_path: Path) -> None:
    audio = _wav(tmp_path / "excerpt.wav")
    transcriber = RecordedTranscriber(RECORDED)
    interview = transcribe_file(transcriber, audio, project="pulse", participant="Dana Ortiz")
    assert transcriber.calls == [audio]
    assert interview.format == "asr" and interview.source == str(audio)
    assert [s.to_dict() for s in interview.speakers] == [
        {"name": "Dana Ortiz", "role": "participant", "reason": "speech-to-text, one speaker"}
    ]
    assert [(u.start, u.end) for u in interview.utterances] == [(a, b) for a, b, _ in RECORDED]
    assert all(u.role is Role.PARTICIPANT for u in interview.utterances)
    assert [m.kind for m in interview.utterances[1].marks] == [MarkKind.FILLER]
    assert MarkKind.SELF_CORRECTION in {m.kind for m in interview.utterances[2].marks}
    again = transcribe_file(RecordedTranscriber(RECORDED), audio, project="pulse")
    assert again.id == interview.id  # same recording, same interview
    other = transcribe_file(
        RecordedTranscriber(RECORDED), _wav(tmp_path / "b.wav", 2.0), project="pulse"
    )
    assert other.id != interview.id


def test_diarisation_gives_roles_and_pauses(tmp_path: Path) -> None:
    spans = read_rttm(RTTM)
    audio = _wav(tmp_path / "excerpt.wav")
    interview = transcribe_file(RecordedTranscriber(RECORDED), audio, diarisation=spans)
    roles = {s.name: s.role for s in interview.speakers}
    assert roles == {"spk_0": Role.INTERVIEWER, "spk_1": Role.PARTICIPANT}
    assert [u.speaker for u in interview.utterances] == ["spk_0", "spk_1", "spk_0", "spk_1"]
    answer = interview.utterances[1]  # two recognised segments of one turn, merged
    assert answer.start == 9.8 and answer.end == 22.0
    pause = [m for m in answer.marks if m.kind is MarkKind.PAUSE]
    assert pause and pause[0].seconds == pytest.approx(5.6)


def test_assign_speakers_by_longest_overlap() -> None:
    spans = read_rttm("SPEAKER f 1 0 2 <NA> <NA> a\nSPEAKER f 1 2 5 <NA> <NA> b\n")
    segs = [Segment(start=1.0, end=4.0, text="x"), Segment(start=10.0, end=11.0, text="y")]
    assert [s.speaker for s in assign_speakers(segs, spans)] == ["b", "b"]


def test_bad_rttm_names_the_line() -> None:
    with pytest.raises(TranscriptError, match=r"who.rttm:2: expected 'SPEAKER"):
        read_rttm("SPEAKER f 1 0 2 <NA> <NA> a\nSPEAKER f 1 zero\n", source="who.rttm")
    with pytest.raises(TranscriptError, match="no SPEAKER lines"):
        read_rttm("just text\n", source="who.rttm")


def test_cli_refuses_a_missing_model_folder_clearly(tmp_path: Path) -> None:
    home = tmp_path / "home"
    audio = _wav(tmp_path / "call.wav")
    out = run_cli(
        home,
        "transcripts",
        "import",
        str(audio),
        "--asr-model",
        str(tmp_path / "no-model"),
        "--json",
        check=False,
    )
    assert out.returncode == 1
    assert (
        json.loads(out.stdout)["error"]
        == f"--asr-model {tmp_path / 'no-model'}: no such folder (point it at a local model folder)"
    )
    out = run_cli(
        home,
        "transcripts",
        "import",
        str(audio),
        "--diarisation",
        str(tmp_path / "x.rttm"),
        "--json",
        check=False,
    )
    assert out.returncode == 1 and "go with --asr-model" in json.loads(out.stdout)["error"]


TINY_MODEL = Path(__file__).parent / "data" / "tiny-whisper-ct2"  # make_tiny_whisper.py


def _tone(path: Path, seconds: float = 3.0) -> Path:
    import math
    import struct

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        n = int(16000 * seconds)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(i / 16000 * 2 * math.pi * 220)))
                for i in range(n)
            )
        )
    return path


def test_a_tiny_real_model_runs_offline_through_faster_whisper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real CTranslate2 Whisper model (random weights: the words are noise) decoded by
    the real library, hub access off: segments with times become utterances."""
    pytest.importorskip("faster_whisper")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    audio = _tone(tmp_path / "tone.wav")
    transcriber = FasterWhisperTranscriber(TINY_MODEL, language="en")
    segments = transcriber.transcribe(audio)
    assert segments and all(0 <= s.start <= s.end for s in segments)
    # Random weights make the decoder fall back to sampling: each run differs, so the
    # interview is checked for shape, not for the same segments.
    interview = transcribe_file(transcriber, audio, participant="Dana Ortiz")
    assert interview.format == "asr" and interview.utterances
    assert all(u.text and u.start is not None and u.end is not None for u in interview.utterances)
    assert all(u.start <= u.end for u in interview.utterances)  # type: ignore[operator]
    assert {u.role for u in interview.utterances} == {Role.PARTICIPANT}


def test_cli_imports_a_recording_with_a_local_model(tmp_path: Path) -> None:
    pytest.importorskip("faster_whisper")
    home = tmp_path / "home"
    audio = _tone(tmp_path / "call.wav")
    out = run_cli(
        home,
        "transcripts",
        "import",
        str(audio),
        "--asr-model",
        str(TINY_MODEL),
        "--language",
        "en",
        "--participant",
        "Dana Ortiz",
        "--json",
        env={"HF_HUB_OFFLINE": "1"},
    )
    [made] = json.loads(out.stdout)["interviews"]
    assert made["format"] == "asr" and made["created"] and made["participant_utterances"] >= 1
    again = run_cli(
        home, "transcripts", "import", str(audio), "--asr-model", str(TINY_MODEL), "--json"
    )
    assert json.loads(again.stdout)["interviews"][0]["created"] is False
