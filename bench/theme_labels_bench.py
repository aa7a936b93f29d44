"""Theme labels against the human category names, and duplicate quotes.

``python -m bench theme_labels``: on each labelled dataset (``bench/_themes_data.py``)
the default pipeline's themes, and per theme its majority human category. A label
*names its category* when one of its words matches a word of that category's name
(SemEval ``BATTERY#OPERATION_PERFORMANCE`` → battery, operation, performance; IS-22
``photo edit`` → photo, edit), words compared after a crude suffix fold or as a prefix
of at least four letters ("device"/"devices"). Coarse — "Windows" does not name ``OS``
— but it is the same yardstick for any labeller, and the NMI/ARI beside it show the
clustering is unchanged. Also: the share of themes whose first three keyphrases name
the category, mean words per label (a longer label has more chances), and themes with
two quotes sharing ≥ 0.8 of their words (Jaccard). *Said*: every part of the label
(split at " / ") occurs as consecutive words in one of the theme's notes — a label made
of words people said in that order, not a pairing across a removed stop word ("Laptop
college" from "laptop in college"); *one phrase*: the label has no " / ".

It uses only the public API, so the same file measures an older checkout:
``PYTHONPATH=OLD/src:. python -m bench.theme_labels_bench``.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from bench._themes_data import DATASETS, load
from fieldnote.synthesis import Note, synthesize

_WORD = re.compile(r"[a-z0-9]+")


def _fold(word: str) -> str:
    for suffix in ("ies", "es", "s", "ed", "ing", "e"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def _match(a: str, b: str) -> bool:
    x, y = _fold(a), _fold(b)
    if x == y:
        return True
    short, long = sorted((x, y), key=len)
    return len(short) >= 4 and long.startswith(short)


def names(text: str, category: str) -> bool:
    """Whether ``text`` has a word matching a word of the category name."""
    gold = _WORD.findall(category.lower().replace("#", " ").replace("_", " "))
    return any(_match(w, g) for w in _WORD.findall(text.lower()) for g in gold)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def said(label: str, texts: list[str]) -> bool:
    """Whether each " / " part of ``label`` occurs as consecutive words in one of ``texts``."""
    notes = [" " + " ".join(_WORD.findall(t.lower())) + " " for t in texts]
    parts = [" " + " ".join(_WORD.findall(p.lower())) + " " for p in label.split(" / ")]
    return all(any(p in n for n in notes) for p in parts)


def _near_duplicates(quotes: list[str]) -> bool:
    sets = [_words(q) for q in quotes]
    return any(
        len(a & b) / max(len(a | b), 1) >= 0.8 for i, a in enumerate(sets) for b in sets[i + 1 :]
    )


def measure(name: str) -> dict[str, Any]:
    data = load(name)
    notes = [
        Note(str(i), t, str(i), p)
        for i, (t, p) in enumerate(zip(data.texts, data.participants, strict=True))
    ]
    syn = synthesize(notes)
    theme_of = {a.note_id: a.theme for a in syn.assignments}
    found = [theme_of[n.id] or "-" for n in notes]
    texts: dict[str, list[str]] = {}
    for note, f in zip(notes, found, strict=True):
        texts.setdefault(f, []).append(note.text)
    rows: list[dict[str, Any]] = []
    for t in syn.themes:
        gold = Counter(g for g, f in zip(data.labels, found, strict=True) if f == t.id)
        category, count = gold.most_common(1)[0]
        rows.append(
            {
                "label": t.label,
                "keyphrases": t.keyphrases[:5],
                "size": t.size,
                "category": category,
                "purity": round(count / t.size, 3),
                "label_names": names(t.label, category),
                "keyphrases_name": names(" ".join(t.keyphrases[:3]), category),
                "said": said(t.label, texts[t.id]),
                "duplicate_quotes": _near_duplicates([q.text for q in t.quotes]),
            }
        )
    n = max(len(rows), 1)
    return {
        "themes": len(rows),
        "nmi": round(float(normalized_mutual_info_score(data.labels, found)), 4),
        "ari": round(float(adjusted_rand_score(data.labels, found)), 4),
        "label_names_category": round(sum(r["label_names"] for r in rows) / n, 3),
        "label_names_category_pure": _pure_share(rows),
        "top3_keyphrases_name_category": round(sum(r["keyphrases_name"] for r in rows) / n, 3),
        "labels_said": round(sum(r["said"] for r in rows) / n, 3),
        "labels_one_phrase": round(sum(" / " not in r["label"] for r in rows) / n, 3),
        "mean_label_words": round(float(np.mean([len(_words(r["label"])) for r in rows])), 2),
        "themes_with_duplicate_quotes": sum(r["duplicate_quotes"] for r in rows),
        "rows": rows,
    }


def _pure_share(rows: list[dict[str, Any]]) -> float:
    """The same share on themes whose majority category holds at least half the notes."""
    pure = [r for r in rows if r["purity"] >= 0.5]
    hits = sum(bool(r["label_names"]) for r in pure)
    return round(hits / max(len(pure), 1), 3)


def main(argv: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in DATASETS:
        r = measure(name)
        result[name] = r
        print(
            f"{name}: {r['themes']} themes, NMI {r['nmi']:.3f} ARI {r['ari']:.3f}; label names "
            f"its category {r['label_names_category']:.1%} (themes >= 50% pure: "
            f"{r['label_names_category_pure']:.1%}); top-3 keyphrases "
            f"{r['top3_keyphrases_name_category']:.1%}; {r['mean_label_words']} words per "
            f"label; said {r['labels_said']:.1%}, one phrase {r['labels_one_phrase']:.1%}; "
            f"{r['themes_with_duplicate_quotes']} themes with near-duplicate quotes",
            flush=True,
        )
        for row in r["rows"][:8]:
            print(f"    {row['label']!r:45s} {row['category']:30s} {row['label_names']}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
