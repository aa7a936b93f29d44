"""What every format parser produces: speaker turns as written, before roles and marks."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RawTurn", "TranscriptError", "merge_turns", "parse_clock", "split_speaker"]


class TranscriptError(ValueError):
    """A transcript that cannot be imported; the message names the file, where and why."""

    def __init__(self, source: str, message: str, *, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "line": self.line, "error": self.reason}


@dataclass(frozen=True, kw_only=True)
class RawTurn:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{2})(?:[.,](\d{1,3}))?$")


def parse_clock(value: str) -> float | None:
    """``1:02:03.5``, ``02:03``, ``00:00:01,250`` → seconds; None if not a clock."""
    m = _CLOCK.match(value.strip())
    if not m:
        return None
    hours = int(m.group(1) or 0)
    minutes, seconds = int(m.group(2)), int(m.group(3))
    if seconds >= 60 or (m.group(1) is not None and minutes >= 60):
        return None
    fraction = int((m.group(4) or "0").ljust(3, "0")) / 1000
    return hours * 3600 + minutes * 60 + seconds + fraction


#: "Ana Lima: text" — a short name (no sentence) before the colon.
_SPEAKER = re.compile(r"^\s*([^\s:][^:\n]{0,48}?)\s*:\s+(.*)$", re.DOTALL)
_NOT_NAMES = frozenset({"note", "http", "https", "q", "a"})


def split_speaker(text: str) -> tuple[str | None, str]:
    """Split a "Name: words" line; names are at most five words and have no digits-only."""
    m = _SPEAKER.match(text)
    if not m:
        return None, text.strip()
    name = m.group(1).strip()
    if len(name.split()) > 5 or name.lower() in _NOT_NAMES or name.isdigit():
        return None, text.strip()
    return name, m.group(2).strip()


def merge_turns(turns: list[RawTurn]) -> list[RawTurn]:
    """Join consecutive pieces by the same speaker (Zoom cuts speech into short cues)."""
    merged: list[RawTurn] = []
    for t in turns:
        if not t.text:
            continue
        if merged and merged[-1].speaker == t.speaker:
            last = merged[-1]
            merged[-1] = RawTurn(
                speaker=last.speaker,
                text=f"{last.text} {t.text}",
                start=last.start,
                end=t.end if t.end is not None else last.end,
            )
        else:
            merged.append(t)
    return merged
