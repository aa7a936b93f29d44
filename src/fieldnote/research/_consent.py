"""Consent texts: what a participant agrees to, versioned so every record says exactly
which words they saw.

A text has three parts a person consents to separately — being recorded, the use of
their data, and being contacted again. Changing any part makes a new version; old
records keep pointing at the version they were given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CONSENT_PARTS", "ConsentError", "ConsentText"]

CONSENT_PARTS = ("recording", "data_use", "contact")


class ConsentError(ValueError):
    """A consent text or record that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class ConsentText:
    recording: str
    data_use: str
    contact: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsentText:
        parts = {}
        for key in CONSENT_PARTS:
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ConsentError(f"{key}: the consent text needs this part (non-empty text)")
            if len(value) > 5000:
                raise ConsentError(f"{key}: longer than 5000 characters")
            parts[key] = value.strip()
        return cls(**parts)

    def to_dict(self) -> dict[str, str]:
        return {"recording": self.recording, "data_use": self.data_use, "contact": self.contact}
