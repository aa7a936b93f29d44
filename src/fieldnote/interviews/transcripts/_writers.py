"""Write an ``Interview`` back out in every supported format: exports for people who
work in other tools, and realistic files for the demo and the import benchmark. Each
writer is the inverse of its parser (a round-trip test checks)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import docx

from fieldnote.interviews._model import Interview

__all__ = ["WRITERS", "TranscriptWriter"]


def _clock(seconds: float, sep: str = ".") -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _short(seconds: float) -> str:
    total = int(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _times(iv: Interview) -> list[tuple[float, float]]:
    out = []
    for i, u in enumerate(iv.utterances):
        start = u.start if u.start is not None else float(i * 10)
        end = u.end if u.end is not None else start + 5.0
        out.append((start, max(end, start + 0.001)))
    return out


def write_vtt(iv: Interview) -> bytes:
    cues = [
        f"{n}\n{_clock(a)} --> {_clock(b)}\n{u.speaker}: {u.text}\n"
        for n, (u, (a, b)) in enumerate(zip(iv.utterances, _times(iv), strict=True), 1)
    ]
    return ("WEBVTT\n\n" + "\n".join(cues)).encode()


def write_srt(iv: Interview) -> bytes:
    cues = [
        f"{n}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{u.speaker}: {u.text}\n"
        for n, (u, (a, b)) in enumerate(zip(iv.utterances, _times(iv), strict=True), 1)
    ]
    return "\n".join(cues).encode()


def _otter_lines(iv: Interview) -> list[str]:
    lines: list[str] = []
    for u, (a, _) in zip(iv.utterances, _times(iv), strict=True):
        lines += [f"{u.speaker}  {_short(a)}", u.text, ""]
    return lines


def write_otter(iv: Interview) -> bytes:
    return "\n".join(_otter_lines(iv)).encode()


def write_text(iv: Interview) -> bytes:
    return "".join(f"{u.speaker}: {u.text}\n" for u in iv.utterances).encode()


def write_json(iv: Interview) -> bytes:
    items = [
        {"speaker": u.speaker, "text": u.text, "start": round(a, 3), "end": round(b, 3)}
        for u, (a, b) in zip(iv.utterances, _times(iv), strict=True)
    ]
    return json.dumps({"utterances": items}, indent=1).encode()


def write_docx(iv: Interview) -> bytes:
    document = docx.Document()
    for line in _otter_lines(iv):
        if line:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class TranscriptWriter:
    name: str
    extension: str
    write: Callable[[Interview], bytes]


WRITERS: dict[str, TranscriptWriter] = {
    w.name: w
    for w in (
        TranscriptWriter("vtt", ".vtt", write_vtt),
        TranscriptWriter("srt", ".srt", write_srt),
        TranscriptWriter("otter", ".txt", write_otter),
        TranscriptWriter("text", ".txt", write_text),
        TranscriptWriter("json", ".json", write_json),
        TranscriptWriter("docx", ".docx", write_docx),
    )
}
