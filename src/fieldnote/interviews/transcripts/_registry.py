"""The parser registry: format name → parser, chosen by extension or by content."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fieldnote.interviews.transcripts._formats import (
    OTTER_HEADER,
    parse_docx,
    parse_json,
    parse_otter,
    parse_plain,
    parse_srt,
    parse_vtt,
)
from fieldnote.interviews.transcripts._raw import RawTurn, TranscriptError

__all__ = ["FORMATS", "TranscriptFormat", "detect_format"]

_SRT_START = re.compile(rb"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")


def _first_line(data: bytes) -> str:
    head = data[:4096].decode("utf-8-sig", errors="replace")
    return next((line.strip() for line in head.splitlines() if line.strip()), "")


@dataclass(frozen=True)
class TranscriptFormat:
    name: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    parse: Callable[[str, bytes], list[RawTurn]]


#: Sniffing order matters: the most specific content signatures first, plain last.
FORMATS: dict[str, TranscriptFormat] = {
    f.name: f
    for f in (
        TranscriptFormat(
            "vtt", (".vtt",), lambda d: _first_line(d).startswith("WEBVTT"), parse_vtt
        ),
        TranscriptFormat("srt", (".srt",), lambda d: bool(_SRT_START.match(d[:512])), parse_srt),
        TranscriptFormat(
            "docx", (".docx",), lambda d: d[:2] == b"PK" and b"word/" in d[:4096], parse_docx
        ),
        TranscriptFormat(
            "json", (".json",), lambda d: _first_line(d)[:1] in {"[", "{"}, parse_json
        ),
        TranscriptFormat(
            "otter", (), lambda d: bool(OTTER_HEADER.match(_first_line(d))), parse_otter
        ),
        TranscriptFormat("text", (".txt", ".md"), lambda d: True, parse_plain),
    )
}


def detect_format(source: str, data: bytes) -> TranscriptFormat:
    """The format of a transcript: an unambiguous extension wins, otherwise its content.

    ``.txt`` is ambiguous (Otter blocks or "Name: text" lines) so it is sniffed.
    """
    lowered = source.lower()
    for fmt in FORMATS.values():
        if fmt.name != "text" and any(lowered.endswith(ext) for ext in fmt.extensions):
            return fmt
    if not data.strip():
        raise TranscriptError(source, "the file is empty")
    return next(f for f in FORMATS.values() if f.sniff(data))
