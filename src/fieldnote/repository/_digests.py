"""The repository side of the weekly digest: what happened in a project in a range,
read straight from the tables, and which weeks' digests were already sent.

Facts only (typed records); ``fieldnote.monitors`` decides what a digest says. Sending
is made idempotent by a unique (project, week) row claimed *before* the email goes
out, in its own transaction: two schedulers racing for the same week cannot both
claim it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._hypotheses import HypothesisRow, HypothesisStatusRow
from fieldnote.repository._interviews import InterviewRow
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware, project_id
from fieldnote.repository._research import QuestionRow
from fieldnote.repository._themebook import BookNoteRow, BookThemeRow, ThemeBookRow

__all__ = [
    "DecisionFact",
    "DigestError",
    "DigestFacts",
    "DigestStore",
    "NewTheme",
    "SentDigest",
]


class DigestError(ValueError):
    """An unknown project, or a digest that cannot be recorded."""


class DigestSentRow(Base):
    __tablename__ = "digests_sent"
    __table_args__ = (UniqueConstraint("project_id", "week", name="uq_digests_sent_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    week: Mapped[str] = mapped_column(String(8), nullable=False)
    recipients: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True, kw_only=True)
class NewTheme:
    book: str
    theme: str
    label: str
    notes: int
    first_seen: datetime
    """When the earliest interview behind its notes was stored."""


@dataclass(frozen=True, kw_only=True)
class DecisionFact:
    hypothesis_id: int
    question_id: int
    text: str
    from_status: str | None
    to_status: str
    reason: str
    actor: str | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class DigestFacts:
    interviews: tuple[str, ...]
    """Ids of the interviews stored in the range."""
    new_themes: tuple[NewTheme, ...]
    decisions: tuple[DecisionFact, ...]


@dataclass(frozen=True, kw_only=True)
class SentDigest:
    project: str
    week: str
    recipients: tuple[str, ...]
    outcome: dict[str, Any]
    sent_at: datetime


class DigestStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def facts(self, project: str, start: datetime, end: datetime) -> DigestFacts:
        """Interviews stored, themes first evidenced and hypothesis decisions in
        ``[start, end)``."""
        with self._repo.session() as s:
            pid = project_id(s, project, DigestError)
            interviews = s.scalars(
                select(InterviewRow.id)
                .where(
                    InterviewRow.project_id == pid,
                    InterviewRow.created_at >= start,
                    InterviewRow.created_at < end,
                )
                .order_by(InterviewRow.created_at, InterviewRow.id)
            ).all()
            first = (
                select(
                    ThemeBookRow.name,
                    BookNoteRow.theme,
                    func.count(BookNoteRow.id),
                    func.min(InterviewRow.created_at),
                )
                .join(BookNoteRow, BookNoteRow.book_id == ThemeBookRow.id)
                .join(InterviewRow, InterviewRow.id == BookNoteRow.source)
                .where(ThemeBookRow.project_id == pid, BookNoteRow.theme.is_not(None))
                .group_by(ThemeBookRow.name, BookNoteRow.theme)
            )
            labels = {
                (book, theme): label
                for book, theme, label in s.execute(
                    select(ThemeBookRow.name, BookThemeRow.theme, BookThemeRow.label)
                    .join(BookThemeRow, BookThemeRow.book_id == ThemeBookRow.id)
                    .where(ThemeBookRow.project_id == pid, BookThemeRow.merged_into.is_(None))
                )
            }
            themes = []
            for book, theme, notes, seen in s.execute(first):
                seen_at = aware(seen)
                key = (str(book), str(theme))
                if start <= seen_at < end and key in labels:
                    themes.append(
                        NewTheme(
                            book=book,
                            theme=str(theme),
                            label=labels[key],
                            notes=int(notes),
                            first_seen=seen_at,
                        )
                    )
            moves = s.execute(
                select(HypothesisStatusRow, HypothesisRow)
                .join(HypothesisRow, HypothesisRow.id == HypothesisStatusRow.hypothesis_id)
                .join(QuestionRow, QuestionRow.id == HypothesisRow.question_id)
                .where(
                    QuestionRow.project_id == pid,
                    HypothesisStatusRow.from_status.is_not(None),
                    HypothesisStatusRow.at >= start,
                    HypothesisStatusRow.at < end,
                )
                .order_by(HypothesisStatusRow.at, HypothesisStatusRow.id)
            ).all()
            decisions = tuple(
                DecisionFact(
                    hypothesis_id=h.id,
                    question_id=h.question_id,
                    text=h.text,
                    from_status=m.from_status,
                    to_status=m.to_status,
                    reason=m.reason or "",
                    actor=m.actor,
                    at=aware(m.at),
                )
                for m, h in moves
            )
        return DigestFacts(
            interviews=tuple(str(i) for i in interviews),
            new_themes=tuple(sorted(themes, key=lambda t: (t.first_seen, t.book, t.theme))),
            decisions=decisions,
        )

    def claim(
        self, project: str, week: str, recipients: tuple[str, ...], *, now: datetime | None = None
    ) -> bool:
        """Record that ``week``'s digest is being sent; False if it already was."""
        try:
            with self._repo.session() as s:
                s.add(
                    DigestSentRow(
                        project_id=project_id(s, project, DigestError),
                        week=week,
                        recipients=json.dumps(list(recipients)),
                        outcome="{}",
                        sent_at=now or datetime.now(UTC),
                    )
                )
                s.flush()
        except IntegrityError:
            return False
        return True

    def record_outcome(self, project: str, week: str, outcome: dict[str, Any]) -> None:
        with self._repo.session() as s:
            row = s.scalar(
                select(DigestSentRow).where(
                    DigestSentRow.project_id == project_id(s, project, DigestError),
                    DigestSentRow.week == week,
                )
            )
            if row is not None:
                row.outcome = json.dumps(outcome)

    def release(self, project: str, week: str) -> None:
        """Forget a claim whose email failed, so the next run tries again."""
        with self._repo.session() as s:
            row = s.scalar(
                select(DigestSentRow).where(
                    DigestSentRow.project_id == project_id(s, project, DigestError),
                    DigestSentRow.week == week,
                )
            )
            if row is not None:
                s.delete(row)

    def sent(self, project: str) -> list[SentDigest]:
        with self._repo.session() as s:
            rows = s.scalars(
                select(DigestSentRow)
                .where(DigestSentRow.project_id == project_id(s, project, DigestError))
                .order_by(DigestSentRow.week)
            ).all()
            return [
                SentDigest(
                    project=project,
                    week=r.week,
                    recipients=tuple(json.loads(r.recipients)),
                    outcome=json.loads(r.outcome),
                    sent_at=aware(r.sent_at),
                )
                for r in rows
            ]
