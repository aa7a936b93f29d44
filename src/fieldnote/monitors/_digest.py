"""The weekly digest: what happened in a project in one ISO week, computed from the
repository (and, for release verdicts, the events).

Sections: metric anomalies (the Signals monitors recorded that week), open Questions
and their age at the week's end, interviews stored, themes first evidenced that week,
and decisions (hypothesis status changes; release verdicts that became due, i.e.
whose after-window ended that week). Rendering lives in ``_digest_render``; sending
on a schedule in ``_digest_send``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fieldnote.analytics import EventSource
from fieldnote.analytics._time import parse_duration
from fieldnote.analytics.explain import rate_metric
from fieldnote.evidence import release_verdict
from fieldnote.repository import MonitorStore, ReleaseStore, Repository, ResearchStore
from fieldnote.repository._digests import DecisionFact, DigestStore, NewTheme

__all__ = [
    "Digest",
    "OpenQuestion",
    "ReleaseDecision",
    "SignalItem",
    "Week",
    "build_digest",
]

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday 00:00 UTC to the next Monday."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        m = _WEEK.match(text.strip())
        if not m:
            raise ValueError(f"week: expected YYYY-Www (e.g. 2026-W10), not {text!r}")
        year, number = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"week: {year} has no ISO week {number}") from None
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def start(self) -> datetime:
        d = date.fromisocalendar(self.year, self.number, 1)
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=7)

    def previous(self) -> Week:
        return Week.of((self.start - timedelta(days=1)).date())

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass(frozen=True, kw_only=True)
class SignalItem:
    monitor: str
    reason: str
    direction: str | None
    fired_at: datetime
    question_id: int | None


@dataclass(frozen=True, kw_only=True)
class OpenQuestion:
    id: int
    text: str
    opened_at: datetime
    age_days: float
    """At the end of the week (or now, for the current week)."""
    signals: int


@dataclass(frozen=True, kw_only=True)
class ReleaseDecision:
    release: str
    released_at: datetime
    verdict: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Digest:
    project: str
    week: Week
    signals: tuple[SignalItem, ...]
    open_questions: tuple[OpenQuestion, ...]
    interviews: tuple[str, ...]
    new_themes: tuple[NewTheme, ...]
    hypotheses: tuple[DecisionFact, ...]
    releases: tuple[ReleaseDecision, ...]
    notes: tuple[str, ...]
    """What could not be computed (e.g. verdicts without the event store)."""

    @property
    def empty(self) -> bool:
        return not (
            self.signals or self.open_questions or self.interviews or self.new_themes
            or self.hypotheses or self.releases
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "week": str(self.week),
            "from": self.week.start.isoformat(),
            "to": self.week.end.isoformat(),
            "anomalies": [
                {
                    "monitor": s.monitor,
                    "reason": s.reason,
                    "direction": s.direction,
                    "fired_at": s.fired_at.isoformat(),
                    "question_id": s.question_id,
                }
                for s in self.signals
            ],
            "open_questions": [
                {
                    "id": q.id,
                    "text": q.text,
                    "opened_at": q.opened_at.isoformat(),
                    "age_days": round(q.age_days, 1),
                    "signals": q.signals,
                }
                for q in self.open_questions
            ],
            "interviews": {"count": len(self.interviews), "ids": list(self.interviews)},
            "new_themes": [
                {
                    "book": t.book,
                    "theme": t.theme,
                    "label": t.label,
                    "notes": t.notes,
                    "first_seen": t.first_seen.isoformat(),
                }
                for t in self.new_themes
            ],
            "decisions": {
                "hypotheses": [
                    {
                        "hypothesis_id": d.hypothesis_id,
                        "question_id": d.question_id,
                        "text": d.text,
                        "from": d.from_status,
                        "to": d.to_status,
                        "reason": d.reason,
                        "at": d.at.isoformat(),
                    }
                    for d in self.hypotheses
                ],
                "releases": [
                    {
                        "release": r.release,
                        "released_at": r.released_at.isoformat(),
                        "verdict": r.verdict,
                        "reason": r.reason,
                    }
                    for r in self.releases
                ],
            },
            "notes": list(self.notes),
        }


def _release_decisions(
    repository: Repository, project: str, week: Week, source: EventSource | None
) -> tuple[tuple[ReleaseDecision, ...], tuple[str, ...]]:
    due = []
    for r in ReleaseStore(repository).list(project):
        window = parse_duration(r.window)
        if week.start <= r.released_at + window < week.end:
            due.append((r, window))
    if not due:
        return (), ()
    if source is None:
        names = ", ".join(r.name for r, _ in due)
        return (), (f"release verdicts due ({names}) need the event store",)
    out, notes = [], []
    for r, window in due:
        try:
            v = release_verdict(
                source, rate_metric(r.metric, r.options), r.released_at, window, r.dimensions
            )
        except ValueError as exc:
            notes.append(f"release {r.name}: {exc}")
            continue
        out.append(
            ReleaseDecision(
                release=r.name, released_at=r.released_at, verdict=v.verdict.value, reason=v.reason
            )
        )
    return tuple(out), tuple(notes)


def build_digest(
    repository: Repository,
    project: str,
    week: Week,
    *,
    source: EventSource | None = None,
    now: datetime | None = None,
) -> Digest:
    """The digest of ``project`` for ``week``; ``source`` adds release verdicts."""
    now = now or datetime.now(UTC)
    start, end = week.start, week.end
    at = min(end, now)
    signals = tuple(
        SignalItem(
            monitor=s.monitor,
            reason=s.reason,
            direction=s.direction,
            fired_at=s.fired_at,
            question_id=s.question_id,
        )
        for s in reversed(MonitorStore(repository).signals(project, limit=10_000))
        if start <= s.fired_at < end
    )
    questions = tuple(
        OpenQuestion(
            id=q.id,
            text=q.text,
            opened_at=q.opened_at,
            age_days=(at - q.opened_at).total_seconds() / 86400,
            signals=q.signal_count,
        )
        for q in ResearchStore(repository).list(project, status="open")
        if q.opened_at < end
    )
    facts = DigestStore(repository).facts(project, start, end)
    releases, notes = _release_decisions(repository, project, week, source)
    return Digest(
        project=project,
        week=week,
        signals=signals,
        open_questions=tuple(sorted(questions, key=lambda q: -q.age_days)),
        interviews=facts.interviews,
        new_themes=facts.new_themes,
        hypotheses=facts.decisions,
        releases=releases,
        notes=notes,
    )
