"""Consistency across interviews: questions asked, probes used, time per section."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fieldnote.interviews._model import Role
from fieldnote.interviews.moderation._session import SessionState

__all__ = ["ConsistencyReport", "consistency_report"]


@dataclass(frozen=True, kw_only=True)
class ConsistencyReport:
    interviews: int
    questions_asked: dict[str, int]  # question text → interviews that asked it
    probes: dict[str, int]  # probe reason → times used
    section_minutes: dict[str, float]  # mean minutes per section

    def to_dict(self) -> dict[str, Any]:
        return {
            "interviews": self.interviews,
            "questions_asked": self.questions_asked,
            "probes": self.probes,
            "section_minutes": self.section_minutes,
        }


def consistency_report(states: Sequence[SessionState]) -> ConsistencyReport:
    asked: Counter[str] = Counter()
    probes: Counter[str] = Counter()
    minutes: dict[str, float] = {}
    for st in states:
        asked.update(
            {t.text for t in st.turns if t.role is Role.INTERVIEWER and t.kind == "question"}
        )
        probes.update(t.reason for t in st.turns if t.kind == "probe" and t.reason)
        for key, seconds in st.section_seconds.items():
            minutes[key] = minutes.get(key, 0.0) + seconds / 60
    n = len(states)
    return ConsistencyReport(
        interviews=n,
        questions_asked=dict(asked.most_common()),
        probes=dict(probes.most_common()),
        section_minutes={k: round(v / n, 2) for k, v in minutes.items()} if n else {},
    )
