"""Spans of personal data found in a text, and the detector protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Detector", "Found", "RedactionContext"]


@dataclass(frozen=True, order=True)
class Found:
    start: int
    end: int
    label: str  # what replaces it: "EMAIL", "PHONE", "CARD", "ID", "URL", "PARTICIPANT", "NAME"


@dataclass(frozen=True, kw_only=True)
class RedactionContext:
    """Names known from the interview: the participant's, and everyone else's
    (speaker labels of interviewers and other people)."""

    participant_names: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()


class Detector(Protocol):
    label: str

    def find(self, text: str, context: RedactionContext) -> list[Found]: ...
