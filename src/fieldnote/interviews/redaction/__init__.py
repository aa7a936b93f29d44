"""Redaction: personal data in transcripts (emails, phone, card and ID numbers, URLs
with tokens, the participant's own name, other person names where detectable) is
masked in every view and export but the researcher's raw view."""

from fieldnote.interviews.redaction._names import FIRST_NAMES
from fieldnote.interviews.redaction._numbers import luhn_valid
from fieldnote.interviews.redaction._redact import (
    DETECTORS,
    Redacted,
    context_for,
    redact_interview,
    redact_text,
)
from fieldnote.interviews.redaction._types import Detector, Found, RedactionContext

__all__ = [
    "DETECTORS",
    "FIRST_NAMES",
    "Detector",
    "Found",
    "Redacted",
    "RedactionContext",
    "context_for",
    "luhn_valid",
    "redact_interview",
    "redact_text",
]
