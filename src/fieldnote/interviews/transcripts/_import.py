"""Turn transcript files into ``Interview``s: detect the format, parse, merge turns,
map speakers to roles, mark hesitations. Pure: storing them is the repository's job."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fieldnote.interviews._model import Interview, Mark, Role, Utterance
from fieldnote.interviews.transcripts._hesitation import hesitation_marks
from fieldnote.interviews.transcripts._raw import RawTurn, TranscriptError, merge_turns
from fieldnote.interviews.transcripts._registry import detect_format
from fieldnote.interviews.transcripts._roles import map_speakers

__all__ = [
    "MAX_TRANSCRIPT_BYTES",
    "ImportOutcome",
    "interview_from_turns",
    "interview_id",
    "parse_transcript",
    "read_transcripts",
]

#: A two-hour interview is well under 1 MB of text; a DOCX with pictures can be more.
MAX_TRANSCRIPT_BYTES = 50 * 1024 * 1024


@dataclass
class ImportOutcome:
    interviews: list[Interview] = field(default_factory=list)
    errors: list[TranscriptError] = field(default_factory=list)


def interview_id(data: bytes, *, project: str) -> str:
    """Stable id from the content: importing the same file twice finds the same interview."""
    return "iv_" + hashlib.sha256(project.encode() + b"\0" + data).hexdigest()[:20]


def interview_from_turns(
    turns: Sequence[RawTurn],
    *,
    id: str,
    source: str,
    format: str,
    study: str | None = None,
    participant: str | None = None,
    interviewers: Sequence[str] = (),
) -> Interview:
    merged = merge_turns(list(turns))
    speakers = map_speakers(merged, participant=participant, interviewers=interviewers)
    roles = {s.name: s.role for s in speakers}
    utterances: list[Utterance] = []
    for i, t in enumerate(merged):
        role = roles[t.speaker]
        marks: tuple[Mark, ...] = ()
        if role is Role.PARTICIPANT:
            prev = merged[i - 1] if i else None
            gap = (
                t.start - prev.end
                if prev is not None
                and prev.end is not None
                and t.start is not None
                and roles[prev.speaker] is not Role.PARTICIPANT
                else None
            )
            marks = hesitation_marks(t.text, gap=gap)
        utterances.append(
            Utterance(
                index=i,
                speaker=t.speaker,
                role=role,
                text=t.text,
                start=t.start,
                end=t.end,
                marks=marks,
            )
        )
    return Interview(
        id=id,
        source=source,
        format=format,
        utterances=tuple(utterances),
        speakers=tuple(speakers),
        study=study,
        participant=participant,
    )


def parse_transcript(
    source: str,
    data: bytes,
    *,
    project: str = "default",
    study: str | None = None,
    participant: str | None = None,
    interviewers: Sequence[str] = (),
) -> Interview:
    """Parse one transcript's bytes; raises ``TranscriptError`` naming what and where."""
    fmt = detect_format(source, data)
    turns = fmt.parse(source, data)
    if not any(t.text for t in turns):
        raise TranscriptError(source, "the transcript has no spoken text")
    return interview_from_turns(
        turns,
        id=interview_id(data, project=project),
        source=source,
        format=fmt.name,
        study=study,
        participant=participant,
        interviewers=interviewers,
    )


def read_transcripts(
    paths: Iterable[Path],
    *,
    project: str = "default",
    study: str | None = None,
    participant: str | None = None,
    interviewers: Sequence[str] = (),
    on_file: Callable[[Path], None] | None = None,
) -> ImportOutcome:
    """Parse every file; a bad file becomes an error entry and the rest still import.

    ``on_file`` is called after each file (a progress bar's hook).
    """
    outcome = ImportOutcome()
    for path in paths:
        source = str(path)
        try:
            if not path.is_file():
                raise TranscriptError(source, "no such file")
            if path.stat().st_size > MAX_TRANSCRIPT_BYTES:
                raise TranscriptError(
                    source, f"larger than {MAX_TRANSCRIPT_BYTES // 2**20} MB; not a transcript?"
                )
            outcome.interviews.append(
                parse_transcript(
                    source,
                    path.read_bytes(),
                    project=project,
                    study=study,
                    participant=participant,
                    interviewers=interviewers,
                )
            )
        except TranscriptError as exc:
            outcome.errors.append(exc)
        except OSError as exc:
            outcome.errors.append(TranscriptError(source, f"cannot read ({exc.strerror})"))
        if on_file is not None:
            on_file(path)
    return outcome
