"""Numbers that identify someone: card numbers (Luhn-checked), phone numbers, ID numbers."""

from __future__ import annotations

import re

from fieldnote.interviews.redaction._types import Found, RedactionContext

__all__ = ["CardDetector", "IdNumberDetector", "PhoneDetector", "luhn_valid"]


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_CARD = re.compile(r"(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w-])")


class CardDetector:
    label = "CARD"

    def find(self, text: str, context: RedactionContext) -> list[Found]:
        out = []
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                out.append(Found(m.start(), m.end(), self.label))
        return out


_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,6}){1,4}(?![\w-])"
    r"|(?<![\w+])\+\d{9,15}(?!\w)"
    r"|(?<!\w)0\d{9,10}(?!\w)"
)
_CLOCKISH = re.compile(r"^\d{1,2}[.:]\d{2}$|^\d{4}-\d{2}-\d{2}$")


class PhoneDetector:
    label = "PHONE"

    def find(self, text: str, context: RedactionContext) -> list[Found]:
        out = []
        for m in _PHONE.finditer(text):
            raw = m.group(0)
            digits = re.sub(r"\D", "", raw)
            if not 9 <= len(digits) <= 15 or _CLOCKISH.match(raw):
                continue
            # A bare run of digits is only a phone number with a + or a leading 0.
            if raw.isdigit() and not raw.startswith("0"):
                continue
            out.append(Found(m.start(), m.end(), self.label))
        return out


_ID_PATTERNS = (
    re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),  # US social security number
    re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b"),  # IBAN
    re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"),  # UK NI number
)
#: "my passport number is X12345678", "employee ID: 88-1234"
_KEYWORD_ID = re.compile(
    r"\b(?:passport|licen[cs]e|driver'?s licen[cs]e|id|account|customer|member|membership|"
    r"employee|tax|social security|national insurance|policy|patient|student)"
    r"(?:\s+(?:number|no\.?|num|#|id|code))?\s*(?:is|was|:|#)?\s*"
    r"(?P<value>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,})\b",
    re.I,
)


class IdNumberDetector:
    label = "ID"

    def find(self, text: str, context: RedactionContext) -> list[Found]:
        out = [
            Found(m.start(), m.end(), self.label) for p in _ID_PATTERNS for m in p.finditer(text)
        ]
        out += [
            Found(m.start("value"), m.end("value"), self.label) for m in _KEYWORD_ID.finditer(text)
        ]
        return out
