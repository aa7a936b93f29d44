"""Question linter quality: precision and recall per kind on a labelled question set.

``python -m bench lint [--split dev|test|all]`` reads ``tests/interviews/data/lint_questions.tsv``
(questions written from interview-methods literature; sources in its header), lints each
question and compares the flagged kinds with the labels. The peer is the trivial
baseline "flag a kind whenever its most obvious cue word appears" (``would`` for
hypothetical, an auxiliary first word for closed, ...), measured on the same questions,
so the figures say what the rules add over keyword spotting. The rules were tuned on
``dev`` only; ``test`` is the held-out estimate.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldnote.interviews.linting import IssueKind, lint_question

DATA = (
    Path(__file__).resolve().parent.parent / "tests" / "interviews" / "data" / "lint_questions.tsv"
)

#: The keyword-spotting peer: one obvious cue per kind.
_BASELINE: dict[IssueKind, re.Pattern[str]] = {
    IssueKind.LEADING: re.compile(r"\b(?:don't you|isn't it|helpful|easy|love|great)\b"),
    IssueKind.CLOSED: re.compile(
        r"^(?:do|did|does|is|are|was|were|have|has|can|could|would|will)\b"
    ),
    IssueKind.HYPOTHETICAL: re.compile(r"\bwould\b"),
    IssueKind.WHY: re.compile(r"\bwhy\b"),
    IssueKind.DOUBLE_BARRELLED: re.compile(r"\band\b"),
    IssueKind.JARGON: re.compile(r"\b(?:ux|ui|api|onboarding|funnel)\b"),
    IssueKind.SOLUTION_PITCH: re.compile(r"\b(?:feature|we)\b"),
}


@dataclass(frozen=True)
class Labelled:
    split: str
    kinds: frozenset[IssueKind]
    text: str


def load(path: Path = DATA) -> list[Labelled]:
    rows: list[Labelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("split\t"):
            continue
        split, kinds, text = line.split("\t")
        if split not in {"dev", "test"}:
            raise ValueError(f"{path}:{number}: split must be dev or test, not {split!r}")
        labels = frozenset() if kinds == "-" else frozenset(IssueKind(k) for k in kinds.split(","))
        rows.append(Labelled(split, labels, text))
    return rows


@dataclass(frozen=True)
class KindScore:
    kind: str
    support: int
    flagged: int
    true_positives: int

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.support if self.support else None


def score(rows: list[Labelled], predict: Callable[[str], frozenset[IssueKind]]) -> list[KindScore]:
    predicted = [predict(r.text) for r in rows]
    scores: list[KindScore] = []
    for kind in IssueKind:
        support = sum(kind in r.kinds for r in rows)
        flagged = sum(kind in p for p in predicted)
        tp = sum(kind in p and kind in r.kinds for r, p in zip(rows, predicted, strict=True))
        scores.append(KindScore(kind.value, support, flagged, tp))
    return scores


def linter(text: str) -> frozenset[IssueKind]:
    return lint_question(text).kinds


def baseline(text: str) -> frozenset[IssueKind]:
    lower = text.lower()
    return frozenset(k for k, p in _BASELINE.items() if p.search(lower))


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.2f}"


def _print(title: str, ours: list[KindScore], peer: list[KindScore]) -> None:
    print(f"\n{title}")
    print(f"{'kind':18} {'n':>4} {'P':>6} {'R':>6}   {'peer P':>6} {'peer R':>6}")
    for a, b in zip(ours, peer, strict=True):
        print(
            f"{a.kind:18} {a.support:4d} {_fmt(a.precision):>6} {_fmt(a.recall):>6}   "
            f"{_fmt(b.precision):>6} {_fmt(b.recall):>6}"
        )


def _errors(rows: list[Labelled]) -> None:
    for r in rows:
        got = linter(r.text)
        if got != r.kinds:
            missed = sorted(k.value for k in r.kinds - got)
            extra = sorted(k.value for k in got - r.kinds)
            print(f"  missed={missed} extra={extra}: {r.text}")


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench lint")
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--errors", action="store_true", help="list dev-split mistakes")
    args = parser.parse_args(argv)
    rows = load()
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    result: dict[str, Any] = {"questions": len(rows)}
    for split in splits:
        part = [r for r in rows if r.split == split]
        clean = sum(not r.kinds for r in part)
        started = time.perf_counter()
        ours = score(part, linter)
        per_question_us = (time.perf_counter() - started) / len(part) * 1e6
        peer = score(part, baseline)
        _print(f"{split}: {len(part)} questions ({clean} clean)", ours, peer)
        exact = sum(linter(r.text) == r.kinds for r in part)
        print(f"exact label-set match: {exact}/{len(part)}; ~{per_question_us:.0f} µs/question")
        result[split] = {
            "questions": len(part),
            "clean": clean,
            "exact_match": exact,
            "kinds": {
                s.kind: {
                    "support": s.support,
                    "precision": s.precision,
                    "recall": s.recall,
                    "peer_precision": p.precision,
                    "peer_recall": p.recall,
                }
                for s, p in zip(ours, peer, strict=True)
            },
        }
    if args.errors:
        print("\ndev-split mistakes:")
        _errors([r for r in rows if r.split == "dev"])
    return result
