"""Transcript import: Zoom/Teams/Meet WebVTT, SRT, Otter TXT, DOCX, ``Name: text`` and
JSON files become ``Interview``s with speakers mapped to roles and hesitations marked."""

from fieldnote.interviews.transcripts._asr import (
    AUDIO_EXTENSIONS,
    TRANSCRIBERS,
    AsrError,
    FasterWhisperTranscriber,
    Segment,
    SpeakerSpan,
    Transcriber,
    assign_speakers,
    interview_from_segments,
    read_rttm,
    transcribe_file,
)
from fieldnote.interviews.transcripts._hesitation import PAUSE_SECONDS, hesitation_marks
from fieldnote.interviews.transcripts._import import (
    MAX_TRANSCRIPT_BYTES,
    ImportOutcome,
    interview_from_turns,
    interview_id,
    parse_transcript,
    read_transcripts,
)
from fieldnote.interviews.transcripts._raw import RawTurn, TranscriptError, parse_clock
from fieldnote.interviews.transcripts._registry import FORMATS, TranscriptFormat, detect_format
from fieldnote.interviews.transcripts._roles import map_speakers
from fieldnote.interviews.transcripts._writers import WRITERS, TranscriptWriter

__all__ = [
    "AUDIO_EXTENSIONS",
    "FORMATS",
    "MAX_TRANSCRIPT_BYTES",
    "PAUSE_SECONDS",
    "TRANSCRIBERS",
    "WRITERS",
    "AsrError",
    "FasterWhisperTranscriber",
    "ImportOutcome",
    "RawTurn",
    "Segment",
    "SpeakerSpan",
    "Transcriber",
    "TranscriptError",
    "TranscriptFormat",
    "TranscriptWriter",
    "assign_speakers",
    "detect_format",
    "hesitation_marks",
    "interview_from_segments",
    "interview_from_turns",
    "interview_id",
    "map_speakers",
    "parse_clock",
    "parse_transcript",
    "read_rttm",
    "read_transcripts",
    "transcribe_file",
]
