"""Speech-to-text for recorded interviews that have no transcript.

A ``Transcriber`` turns an audio file into timed ``Segment``s; ``TRANSCRIBERS`` maps a
name to a factory taking the local model folder. The one shipped is faster-whisper
(CTranslate2 Whisper models, the optional extra ``asr``): it is only ever given a
folder on disk with ``local_files_only=True``, so nothing is downloaded; a missing
folder, a folder without ``model.bin`` or a missing package is a precise error before
any audio is read.

Whisper does not say who speaks. Without diarisation every segment is one speaker,
the participant (an interview recording's evidence is what the participant says;
the researcher can re-label). With diarisation (an RTTM file, the format pyannote and
most diarisers write) each segment takes the speaker it overlaps most, and the usual
role mapping (names, role words, who asks the questions) and hesitation marks apply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fieldnote.interviews._model import Interview, Role, Speaker, Utterance
from fieldnote.interviews.transcripts._hesitation import hesitation_marks
from fieldnote.interviews.transcripts._import import interview_from_turns, interview_id
from fieldnote.interviews.transcripts._raw import RawTurn, TranscriptError

__all__ = [
    "AUDIO_EXTENSIONS",
    "TRANSCRIBERS",
    "AsrError",
    "FasterWhisperTranscriber",
    "Segment",
    "SpeakerSpan",
    "Transcriber",
    "assign_speakers",
    "interview_from_segments",
    "read_rttm",
    "transcribe_file",
]

AUDIO_EXTENSIONS = frozenset({".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".webm", ".mp4"})
INSTALL_HINT = "speech-to-text needs faster-whisper: pip install 'fieldnote[asr]'"


class AsrError(ValueError):
    """Speech-to-text cannot run: the message says what is missing and how to fix it."""


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A stretch of recognised speech; ``speaker`` only where diarisation said so."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True, kw_only=True)
class SpeakerSpan:
    speaker: str
    start: float
    end: float


class Transcriber(Protocol):
    @property
    def name(self) -> str: ...

    def transcribe(self, audio: Path) -> list[Segment]: ...


def _check_model_dir(path: Path) -> Path:
    if not path.exists():
        raise AsrError(f"--asr-model {path}: no such folder (point it at a local model folder)")
    if not path.is_dir():
        raise AsrError(f"--asr-model {path}: not a folder; a CTranslate2 model is a folder")
    if not (path / "model.bin").is_file():
        raise AsrError(
            f"--asr-model {path}: no model.bin inside; expected a CTranslate2 Whisper model "
            "(e.g. converted with ct2-transformers-converter)"
        )
    return path


@dataclass
class FasterWhisperTranscriber:
    """faster-whisper on a local CTranslate2 model folder; never downloads."""

    model_path: Path
    language: str | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    name: str = "faster-whisper"

    def __post_init__(self) -> None:
        self.model_path = _check_model_dir(Path(self.model_path))
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            try:
                from faster_whisper import WhisperModel
            except ImportError as exc:
                raise AsrError(INSTALL_HINT) from exc
            try:
                self._model = WhisperModel(
                    str(self.model_path),
                    device=self.device,
                    compute_type=self.compute_type,
                    local_files_only=True,
                )
            except Exception as exc:  # a corrupt or foreign model: say which folder
                raise AsrError(f"--asr-model {self.model_path}: cannot load ({exc})") from exc
        return self._model

    def transcribe(self, audio: Path) -> list[Segment]:
        segments, _info = self._load().transcribe(str(audio), language=self.language)
        return [
            Segment(start=float(s.start), end=float(s.end), text=str(s.text).strip())
            for s in segments
            if str(s.text).strip()
        ]


TRANSCRIBERS: dict[str, Callable[..., Transcriber]] = {
    "faster-whisper": FasterWhisperTranscriber,
}


def read_rttm(text: str, *, source: str = "rttm") -> list[SpeakerSpan]:
    """``SPEAKER <file> <chan> <start> <duration> <NA> <NA> <speaker> ...`` lines."""
    spans = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        try:
            start, duration = float(fields[3]), float(fields[4])
            speaker = fields[7]
        except (IndexError, ValueError):
            raise TranscriptError(
                source, "expected 'SPEAKER file chan start duration <NA> <NA> name'", line=number
            ) from None
        if start < 0 or duration < 0:
            raise TranscriptError(source, "negative start or duration", line=number)
        spans.append(SpeakerSpan(speaker=speaker, start=start, end=start + duration))
    if not spans:
        raise TranscriptError(source, "no SPEAKER lines: not an RTTM diarisation file")
    return spans


def assign_speakers(segments: Sequence[Segment], spans: Sequence[SpeakerSpan]) -> list[Segment]:
    """Each segment gets the speaker whose turns overlap it longest (ties: the first
    listed); a segment no turn overlaps keeps the previous segment's speaker."""
    out: list[Segment] = []
    previous: str | None = None
    for seg in segments:
        overlap: dict[str, float] = {}
        for span in spans:
            shared = min(seg.end, span.end) - max(seg.start, span.start)
            if shared > 0:
                overlap[span.speaker] = overlap.get(span.speaker, 0.0) + shared
        speaker = max(overlap, key=lambda s: overlap[s]) if overlap else previous
        previous = speaker
        out.append(Segment(start=seg.start, end=seg.end, text=seg.text, speaker=speaker))
    return out


def interview_from_segments(
    segments: Sequence[Segment],
    *,
    id: str,
    source: str,
    study: str | None = None,
    participant: str | None = None,
    interviewers: Sequence[str] = (),
) -> Interview:
    if any(s.speaker is not None for s in segments):
        turns = [
            RawTurn(speaker=s.speaker or "Unknown", text=s.text, start=s.start, end=s.end)
            for s in segments
        ]
        return interview_from_turns(
            turns,
            id=id,
            source=source,
            format="asr",
            study=study,
            participant=participant,
            interviewers=interviewers,
        )
    name = participant or "Participant"
    return Interview(
        id=id,
        source=source,
        format="asr",
        utterances=tuple(
            Utterance(
                index=i,
                speaker=name,
                role=Role.PARTICIPANT,
                text=s.text,
                start=s.start,
                end=s.end,
                marks=hesitation_marks(s.text, gap=None),
            )
            for i, s in enumerate(segments)
        ),
        speakers=(Speaker(name=name, role=Role.PARTICIPANT, reason="speech-to-text, one speaker"),),
        study=study,
        participant=participant,
    )


def _digest(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def transcribe_file(
    transcriber: Transcriber,
    audio: Path,
    *,
    project: str = "default",
    study: str | None = None,
    participant: str | None = None,
    interviewers: Sequence[str] = (),
    diarisation: Sequence[SpeakerSpan] | None = None,
) -> Interview:
    """One recording to an ``Interview`` (id from the audio's bytes, so importing the
    same recording twice finds the same interview)."""
    source = str(audio)
    if not audio.is_file():
        raise TranscriptError(source, "no such file")
    try:
        segments = transcriber.transcribe(audio)
    except AsrError:
        raise
    except Exception as exc:  # undecodable audio and the like: one file's error
        raise TranscriptError(source, f"speech-to-text failed ({exc})") from exc
    if not segments:
        raise TranscriptError(source, "no speech recognised")
    if diarisation:
        segments = assign_speakers(segments, diarisation)
    return interview_from_segments(
        segments,
        id=interview_id(b"asr\0" + _digest(audio), project=project),
        source=source,
        study=study,
        participant=participant,
        interviewers=interviewers,
    )
