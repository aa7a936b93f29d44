"""Format parsers, one function per format, all returning ``RawTurn``s.

Each is registered in ``_registry.PARSERS`` with the extensions it owns and a content
sniffer, so a ``.txt`` Otter export and a ``.txt`` "Name: text" file are told apart by
what is in them, not by their name.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import docx
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from fieldnote.interviews.transcripts._raw import (
    RawTurn,
    TranscriptError,
    parse_clock,
    split_speaker,
)

__all__ = ["parse_docx", "parse_json", "parse_otter", "parse_plain", "parse_srt", "parse_vtt"]

UNKNOWN_SPEAKER = "Unknown speaker"


def _captions(source: str, text: str, fmt: str) -> list[RawTurn]:
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=fmt, strict=True).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise TranscriptError(source, f"not a valid {fmt.upper()} file ({exc})") from exc
    turns: list[RawTurn] = []
    for c in captions:
        start, end = parse_clock(c.start), parse_clock(c.end)
        body = " ".join(c.text.split())
        if c.voice:  # Teams: <v Name>text</v>
            speaker: str | None = c.voice.strip()
        else:  # Zoom, Meet: "Name: text"
            speaker, body = split_speaker(body)
        turns.append(RawTurn(speaker=speaker or UNKNOWN_SPEAKER, text=body, start=start, end=end))
    if not turns:
        raise TranscriptError(source, f"the {fmt.upper()} file has no captions")
    return turns


def parse_vtt(source: str, data: bytes) -> list[RawTurn]:
    return _captions(source, _decode(source, data), "vtt")


def parse_srt(source: str, data: bytes) -> list[RawTurn]:
    return _captions(source, _decode(source, data), "srt")


#: Otter: "Ana Lima  0:05" (name, two or more spaces, clock) then the words.
OTTER_HEADER = re.compile(r"^(\S(?:.{0,48}\S)?)\s{2,}((?:\d+:)?\d{1,2}:\d{2})\s*$")


def _blocks(source: str, lines: list[str], *, first_line: int = 1) -> list[RawTurn]:
    turns: list[RawTurn] = []
    speaker: str | None = None
    start: float | None = None
    body: list[str] = []
    for number, line in enumerate(lines, first_line):
        header = OTTER_HEADER.match(line.strip())
        if header:
            if speaker is not None:
                turns.append(RawTurn(speaker=speaker, text=" ".join(body), start=start))
            speaker, start, body = header.group(1), parse_clock(header.group(2)), []
        elif line.strip():
            if speaker is None:
                raise TranscriptError(
                    source, "text before the first 'Speaker  0:00' header", line=number
                )
            body.append(line.strip())
    if speaker is not None:
        turns.append(RawTurn(speaker=speaker, text=" ".join(body), start=start))
    # An Otter block ends where the next one starts.
    return [
        RawTurn(
            speaker=t.speaker,
            text=t.text,
            start=t.start,
            end=turns[i + 1].start if i + 1 < len(turns) else None,
        )
        for i, t in enumerate(turns)
    ]


def parse_otter(source: str, data: bytes) -> list[RawTurn]:
    turns = _blocks(source, _decode(source, data).splitlines())
    if not turns:
        raise TranscriptError(source, "no 'Speaker  0:00' blocks found")
    return turns


_STAMP = re.compile(r"^\[?((?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\]?\s+")


def _name_lines(source: str, lines: list[str]) -> list[RawTurn]:
    turns: list[RawTurn] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        start: float | None = None
        stamp = _STAMP.match(line.strip())
        rest = line.strip()
        if stamp:
            start = parse_clock(stamp.group(1))
            rest = rest[stamp.end() :]
        speaker, text = split_speaker(rest)
        if speaker is None:
            if not turns:
                raise TranscriptError(
                    source, "expected 'Name: text' (no speaker name before a colon)", line=number
                )
            last = turns[-1]  # a continuation line of the previous speaker
            turns[-1] = RawTurn(speaker=last.speaker, text=f"{last.text} {text}", start=last.start)
            continue
        turns.append(RawTurn(speaker=speaker, text=text, start=start))
    if not turns:
        raise TranscriptError(source, "the file is empty")
    return turns


def parse_plain(source: str, data: bytes) -> list[RawTurn]:
    return _name_lines(source, _decode(source, data).splitlines())


def parse_docx(source: str, data: bytes) -> list[RawTurn]:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TranscriptError(source, f"not a readable DOCX file ({exc})") from exc
    lines: list[str] = []
    for paragraph in document.paragraphs:
        lines.extend(paragraph.text.splitlines() or [""])
    if any(OTTER_HEADER.match(line.strip()) for line in lines):
        # Teams and Otter DOCX exports: "Name  0:03" headers.
        first = next(i for i, line in enumerate(lines) if line.strip())
        if OTTER_HEADER.match(lines[first].strip()):
            return _blocks(source, lines)
    return _name_lines(source, lines)


_SPEAKER_KEYS = ("speaker", "name", "speaker_name", "participant", "role")
_TEXT_KEYS = ("text", "transcript", "content", "words")
_START_KEYS = ("start", "start_time", "startTime", "begin", "offset")
_END_KEYS = ("end", "end_time", "endTime", "stop")


def _pick(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((item[k] for k in keys if k in item and item[k] is not None), None)


def _seconds(source: str, value: Any, index: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TranscriptError(source, f"item {index}: a time must be seconds or a clock")
    if isinstance(value, int | float):
        if value < 0:
            raise TranscriptError(source, f"item {index}: negative time {value}")
        return float(value)
    if isinstance(value, str) and (clock := parse_clock(value)) is not None:
        return clock
    raise TranscriptError(source, f"item {index}: time {value!r} is neither seconds nor a clock")


def parse_json(source: str, data: bytes) -> list[RawTurn]:
    try:
        doc = json.loads(_decode(source, data))
    except json.JSONDecodeError as exc:
        raise TranscriptError(source, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    items = doc
    if isinstance(doc, dict):
        items = next(
            (doc[k] for k in ("utterances", "segments", "transcript", "turns") if k in doc), None
        )
    if not isinstance(items, list) or not items:
        raise TranscriptError(
            source,
            "expected a list of {speaker, text, start, end} objects "
            "(or an object with an 'utterances' or 'segments' list)",
        )
    turns: list[RawTurn] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise TranscriptError(
                source, f"item {i}: expected an object, got {type(item).__name__}"
            )
        text = _pick(item, _TEXT_KEYS)
        if not isinstance(text, str):
            raise TranscriptError(source, f"item {i}: no 'text' string")
        speaker = _pick(item, _SPEAKER_KEYS)
        turns.append(
            RawTurn(
                speaker=str(speaker).strip() if speaker else UNKNOWN_SPEAKER,
                text=" ".join(text.split()),
                start=_seconds(source, _pick(item, _START_KEYS), i),
                end=_seconds(source, _pick(item, _END_KEYS), i),
            )
        )
    return turns


def _decode(source: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            source, f"not UTF-8 text (byte {exc.start}); save the transcript as UTF-8"
        ) from exc
