"""Labelled short texts for the themes benchmark, read from ../shared/datasets/.

* ``semeval-categories``: SemEval-2016 laptop review sentences with exactly one human
  aspect category (ENTITY#ATTRIBUTE), categories with at least 10 sentences.
* ``semeval-entities``: the same sentences labelled by entity only, without the
  catch-all LAPTOP entity (so the labels are about *what part* people talk about).
* ``is22-features``: IS-22 app-review sentences with exactly one annotated feature,
  the feature lower-cased with a crude suffix strip (update/updates/updated → one
  label), features with at least 3 sentences.

``synthetic_notes`` builds a large corpus for speed figures by splicing clauses of
the real sentences (seeded), with a participant per 100 notes (≈ one interview).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["DATASETS", "Labelled", "load", "synthetic_notes"]

ROOT = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SEMEVAL = ROOT / "semeval16-laptops-absa" / "laptops_sentences_categories.csv"
IS22 = ROOT / "appreview-features-is22" / "study1_ground_truth_sentences.csv"


@dataclass(frozen=True)
class Labelled:
    name: str
    texts: list[str]
    participants: list[str]
    labels: list[str]


def _min_count(rows: list[tuple[str, str, str]], least: int) -> list[tuple[str, str, str]]:
    counts = Counter(label for _, _, label in rows)
    return [r for r in rows if counts[r[2]] >= least]


def _semeval(entity_only: bool) -> list[tuple[str, str, str]]:
    with SEMEVAL.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["categories"] and "|" not in r["categories"]]
    out = []
    for r in rows:
        label = r["categories"].split("#")[0] if entity_only else r["categories"]
        if entity_only and label == "LAPTOP":
            continue
        out.append((r["text"], r["review_id"], label))
    return _min_count(out, 10)


def _stem(word: str) -> str:
    word = word.strip().lower()
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[: -len(suffix)]
    return word


def _is22() -> list[tuple[str, str, str]]:
    with IS22.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = [
        (r["Sentence content"], r["Review id"], _stem(r["Feature (All Annotated)"]))
        for r in rows
        if r["Feature (All Annotated)"] and ";" not in r["Feature (All Annotated)"]
    ]
    return _min_count(out, 3)


DATASETS = {
    "semeval-categories": lambda: _semeval(False),
    "semeval-entities": lambda: _semeval(True),
    "is22-features": _is22,
}


def load(name: str) -> Labelled:
    rows = DATASETS[name]()
    return Labelled(
        name, [t for t, _, _ in rows], [p for _, p, _ in rows], [lab for *_, lab in rows]
    )


def _all_sentences() -> list[str]:
    with SEMEVAL.open(encoding="utf-8") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    with IS22.open(encoding="utf-8") as f:
        texts += [r["Sentence content"] for r in csv.DictReader(f)]
    return [t for t in texts if len(t.split()) >= 3]


def synthetic_notes(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` notes and their participant ids (100 notes per participant)."""
    base = _all_sentences()
    halves = [re.split(r"(?<=\w)[,;]\s+|\s+(?:and|but|because)\s+", t, maxsplit=1) for t in base]
    rng = np.random.default_rng(seed)
    first = rng.integers(0, len(base), n)
    second = rng.integers(0, len(base), n)
    splice = rng.random(n) < 0.6
    texts = []
    for a, b, s in zip(first.tolist(), second.tolist(), splice.tolist(), strict=True):
        if s and len(halves[a]) > 1 and len(halves[b]) > 1:
            texts.append(f"{halves[a][0]}, {halves[b][1]}")
        else:
            texts.append(base[a])
    return texts, [f"p{i // 100}" for i in range(n)]
