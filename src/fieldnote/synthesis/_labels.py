"""Theme labels that read as a phrase people said, built from the theme's keyphrases.

A label is what a product team reads first. Joining the two best keyphrases ("Admin
fine / ask", seen on the demo) gave labels nobody would write; a phrase several
participants actually used ("Ask an admin") reads as one and stays checkable against
the notes. No model and no downloads: only the notes' own words.

``theme_label``:

1. *Subject* keyphrases: those with no opinion or filler word (``avoid``: "love",
   "great", "fine", "thing"): how people feel is what sentiment reports.
2. *Head*: the best subject keyphrase; a multi-word one within ``PHRASE_RATIO`` of its
   score replaces a single word (phrases read better, at little cost in relevance).
3. A single-word head is *extended* to the most widely used span around it in the
   theme's notes: 2..``LONGEST`` words in one clause, starting and ending with a content
   word outside ``avoid``, said by at least two people and ``MIN_SUPPORT`` of the
   theme's people (fewer people, then longer spans, lose).
4. No such span: the head, then " / " and the next subject keyphrase sharing no word
   with it (the earlier format), so a label always names two things or one phrase.

The label keeps the case people wrote ("Google Sheets install").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from fieldnote.synthesis._keyphrases import Keyphrase, clauses, label_from, overlap, tokens

__all__ = ["LONGEST", "MIN_SUPPORT", "PHRASE_RATIO", "phrase_spans", "theme_label"]

PHRASE_RATIO = 0.75
LONGEST = 5
MIN_SUPPORT = 0.15


def phrase_spans(
    head: str, texts: Sequence[str], stop: frozenset[str], longest: int = LONGEST
) -> list[list[str]]:
    """Per text, the distinct spans (2..``longest`` words, one clause) containing the
    one-word ``head`` whose first and last words are content words not in ``stop``."""
    out: list[list[str]] = []
    for text in texts:
        found: set[str] = set()
        if head not in text.lower().replace("\u2019", "'"):  # cheap test first: most notes lack it
            out.append([])
            continue
        for clause in clauses(text):
            words = tokens(clause)
            for at in (i for i, w in enumerate(words) if w == head):
                for i in range(max(0, at - longest + 1), at + 1):
                    for j in range(max(at, i + 1), min(len(words), i + longest)):
                        if _edge(words[i], stop) and _edge(words[j], stop):
                            found.add(" ".join(words[i : j + 1]))
        out.append(sorted(found))
    return out


def _edge(word: str, stop: frozenset[str]) -> bool:
    return len(word) > 1 and word not in stop and not word.isdigit()


def _extend(
    head: str, texts: Sequence[str], people: Sequence[str], stop: frozenset[str]
) -> str | None:
    said: dict[str, set[str]] = {}
    for spans, who in zip(phrase_spans(head, texts, stop), people, strict=True):
        for span in spans:
            said.setdefault(span, set()).add(who)
    need = max(2, math.ceil(MIN_SUPPORT * len(set(people))))
    ok = [(len(who), span) for span, who in said.items() if len(who) >= need]
    if not ok:
        return None
    return min(ok, key=lambda x: (-x[0], x[1].count(" "), x[1]))[1]


def _as_written(phrase: str, texts: Sequence[str]) -> str:
    """``phrase`` in the case people wrote it most often (first seen on ties)."""
    pattern = re.compile(
        r"(?<![\w'])" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?![\w'])",
        re.IGNORECASE,
    )
    first = phrase.split()[0]
    seen = Counter(m.group(0) for t in texts if first in t.lower() for m in pattern.finditer(t))
    text = " ".join(seen.most_common(1)[0][0].split()) if seen else phrase
    return text[:1].upper() + text[1:]


def theme_label(
    ranked: Sequence[Keyphrase],
    texts: Sequence[str],
    people: Sequence[str],
    stop: frozenset[str],
    avoid: frozenset[str] = frozenset(),
) -> str:
    """A label for the theme whose notes are ``texts`` (said by ``people``, aligned).

    ``ranked`` are its keyphrases best first, ``stop`` the stop words (never at a
    label's edge), ``avoid`` opinion and filler words (never in a label word's place).
    """
    subject = [k for k in ranked if not avoid & set(k.phrase.split())]
    if not subject:
        return label_from([k.phrase for k in ranked], avoid)
    head = subject[0]
    if " " not in head.phrase:
        head = next(
            (
                k
                for k in subject[1:3]
                if " " in k.phrase and k.score >= PHRASE_RATIO * subject[0].score
            ),
            head,
        )
    if " " in head.phrase:
        return _as_written(head.phrase, texts)
    extended = _extend(head.phrase, texts, people, stop | avoid)
    if extended is not None:
        return _as_written(extended, texts)
    rest = next((k for k in subject[1:5] if overlap(k.phrase, head.phrase) == 0), None)
    first = _as_written(head.phrase, texts)
    return first if rest is None else f"{first} / {rest.phrase}"
