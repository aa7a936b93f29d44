"""What kind of observation a note is, by transparent rules a researcher can read.

Rules are checked in the order of ``KIND_RULES``; the first that matches wins. A theme's
kind is the most common kind among its notes. The rules are deliberately plain
regular expressions (plus VADER's sign for pain and praise) so that a surprising kind
can be traced to the exact phrase that triggered it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["KINDS", "KIND_RULES", "KindRule", "note_kind", "theme_kind"]


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: str
    pattern: re.Pattern[str]
    min_sentiment: float | None = None
    max_sentiment: float | None = None

    def matches(self, text: str, compound: float) -> bool:
        if self.min_sentiment is not None and compound < self.min_sentiment:
            return False
        if self.max_sentiment is not None and compound > self.max_sentiment:
            return False
        return bool(self.pattern.search(text))


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


KIND_RULES: tuple[KindRule, ...] = (
    KindRule(
        "question",
        re.compile(
            r"\?\s*$|^(?:how|why|what|where|when|which|who|can i|can you|is there|does|do you|should i)\b",
            re.IGNORECASE,
        ),
    ),
    KindRule(
        "workaround",
        _rx(
            r"export\w* (?:it |them |the \w+ )?(?:to|into)",
            r"excel",
            r"spreadsheet",
            r"copy(?:ing)? (?:and|&) past",
            r"manually",
            r"work ?around",
            r"screenshot",
            r"write (?:it|them) down",
            r"(?:i|we) (?:just|end up|have to|had to) (?:use|ask|go|open|call|email|export|copy)",
            r"instead(?:,)? (?:i|we)",
            r"as a hack",
        ),
    ),
    KindRule(
        "unmet need",
        _rx(
            r"i wish",
            r"(?:would|it'd) (?:be|love|like) (?:nice|great|helpful|good)?",
            r"need (?:a|an|to be able|some) ",
            r"(?:should|could) (?:have|let|allow|be able)",
            r"missing",
            r"no way to",
            r"(?:want|like) to be able",
            r"if only",
            r"please add",
            r"lacks?\b",
            r"there(?:'s| is) no ",
        ),
    ),
    KindRule(
        "pain point",
        _rx(
            r"annoy",
            r"frustrat",
            r"hate",
            r"slow",
            r"crash",
            r"broken",
            r"bug",
            r"confus",
            r"hard to",
            r"difficult",
            r"fail",
            r"error",
            r"stuck",
            r"block",
            r"waiting",
            r"can(?:'|no)t",
            r"doesn'?t work",
            r"won'?t",
            r"never work",
            r"problem",
            r"issue",
            r"terrible",
            r"waste",
        ),
    ),
    KindRule("pain point", re.compile(r"\w"), max_sentiment=-0.3),
    KindRule("praise", re.compile(r"\w"), min_sentiment=0.3),
)

KINDS: tuple[str, ...] = (
    "pain point",
    "workaround",
    "unmet need",
    "praise",
    "question",
    "observation",
)


def note_kind(text: str, compound: float) -> str:
    for rule in KIND_RULES:
        if rule.matches(text, compound):
            return rule.kind
    return "observation"


def theme_kind(kinds: Iterable[str]) -> str:
    """Most common kind; ties go to the order of ``KINDS`` (pain first: it costs most)."""
    counts = Counter(kinds)
    if not counts:
        return "observation"
    return max(KINDS, key=lambda k: (counts.get(k, 0), -KINDS.index(k)))
