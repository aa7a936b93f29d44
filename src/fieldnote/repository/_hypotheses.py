"""Hypotheses on a research Question, their evidence links and their status history.

A Question says what the team does not know; a hypothesis is one candidate answer
("admins cannot connect the integration on mobile"). Its status moves between open,
supported, refuted and inconclusive as evidence arrives, and every move is kept
(who, when, from, to, why) so a verdict can be traced back, not just read. Evidence is
a *typed reference* (kind + id + optional excerpt) rather than a copy: the note,
theme, metric or decomposition lives in its own store and may be recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import _now, aware, project_id
from fieldnote.repository._research import QuestionRow

__all__ = [
    "EVIDENCE_KINDS",
    "EVIDENCE_STANCES",
    "HYPOTHESIS_STATUSES",
    "EvidenceLink",
    "HypothesisError",
    "HypothesisNotFoundError",
    "HypothesisRecord",
    "HypothesisStore",
    "StatusChange",
]

HYPOTHESIS_STATUSES = ("open", "supported", "refuted", "inconclusive")
EVIDENCE_KINDS = ("note", "theme", "metric", "signal", "decomposition", "interview", "quote")
"""Qualitative (note, theme, interview, quote) and quantitative (metric, signal,
decomposition) evidence; the id's meaning depends on the kind."""
EVIDENCE_STANCES = ("supports", "refutes", "context")
MAX_TEXT = 2000
MAX_REF = 200


class HypothesisRow(Base):
    __tablename__ = "hypotheses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class HypothesisEvidenceRow(Base):
    __tablename__ = "hypothesis_evidence"
    __table_args__ = (
        UniqueConstraint("hypothesis_id", "kind", "ref", name="uq_hypothesis_evidence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hypothesis_id: Mapped[int] = mapped_column(
        ForeignKey("hypotheses.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    ref: Mapped[str] = mapped_column(String(MAX_REF), nullable=False)
    stance: Mapped[str] = mapped_column(String(16), nullable=False, default="supports")
    excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)
    linked_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class HypothesisStatusRow(Base):
    __tablename__ = "hypothesis_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hypothesis_id: Mapped[int] = mapped_column(
        ForeignKey("hypotheses.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    actor: Mapped[str | None] = mapped_column(String(320), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class HypothesisError(ValueError):
    """A hypothesis that cannot be found, saved or changed; the message says why."""


class HypothesisNotFoundError(HypothesisError):
    """The project, question or hypothesis does not exist (HTTP 404, not 422)."""


@dataclass(frozen=True, kw_only=True)
class EvidenceLink:
    kind: str
    ref: str
    stance: str
    excerpt: str | None
    linked_by: str | None
    linked_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "stance": self.stance,
            "excerpt": self.excerpt,
            "linked_by": self.linked_by,
            "linked_at": self.linked_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class StatusChange:
    from_status: str | None
    to_status: str
    reason: str
    actor: str | None
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_status,
            "to": self.to_status,
            "reason": self.reason,
            "actor": self.actor,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class HypothesisRecord:
    id: int
    project: str
    question_id: int
    text: str
    status: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    evidence: tuple[EvidenceLink, ...]
    history: tuple[StatusChange, ...]
    """Oldest first; the first entry is the creation (from ``None`` to ``open``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "question_id": self.question_id,
            "text": self.text,
            "status": self.status,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "evidence": [e.to_dict() for e in self.evidence],
            "history": [h.to_dict() for h in self.history],
        }


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise HypothesisError(f"{what} {value!r} is not one of {', '.join(allowed)}")


class HypothesisStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def _question(self, session: Session, project: str, question_id: int) -> QuestionRow:
        row = session.scalar(
            select(QuestionRow).where(
                QuestionRow.project_id == project_id(session, project, HypothesisNotFoundError),
                QuestionRow.id == question_id,
            )
        )
        if row is None:
            raise HypothesisNotFoundError(f"project {project!r} has no question {question_id}")
        return row

    def _row(self, session: Session, project: str, hypothesis_id: int) -> HypothesisRow:
        row = session.scalar(
            select(HypothesisRow)
            .join(QuestionRow, QuestionRow.id == HypothesisRow.question_id)
            .where(
                QuestionRow.project_id == project_id(session, project, HypothesisNotFoundError),
                HypothesisRow.id == hypothesis_id,
            )
        )
        if row is None:
            raise HypothesisNotFoundError(f"project {project!r} has no hypothesis {hypothesis_id}")
        return row

    def _record(self, session: Session, project: str, row: HypothesisRow) -> HypothesisRecord:
        links = session.scalars(
            select(HypothesisEvidenceRow)
            .where(HypothesisEvidenceRow.hypothesis_id == row.id)
            .order_by(HypothesisEvidenceRow.id)
        ).all()
        changes = session.scalars(
            select(HypothesisStatusRow)
            .where(HypothesisStatusRow.hypothesis_id == row.id)
            .order_by(HypothesisStatusRow.id)
        ).all()
        return HypothesisRecord(
            id=row.id,
            project=project,
            question_id=row.question_id,
            text=row.text,
            status=row.status,
            created_by=row.created_by,
            created_at=aware(row.created_at),
            updated_at=aware(row.updated_at),
            evidence=tuple(
                EvidenceLink(
                    kind=e.kind,
                    ref=e.ref,
                    stance=e.stance,
                    excerpt=e.excerpt,
                    linked_by=e.linked_by,
                    linked_at=aware(e.linked_at),
                )
                for e in links
            ),
            history=tuple(
                StatusChange(
                    from_status=c.from_status,
                    to_status=c.to_status,
                    reason=c.reason,
                    actor=c.actor,
                    at=aware(c.at),
                )
                for c in changes
            ),
        )

    def add(
        self, project: str, question_id: int, text: str, *, actor: str | None
    ) -> HypothesisRecord:
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            raise HypothesisError(f"a hypothesis has 1 to {MAX_TEXT} characters")
        with self._repo.session() as session:
            question = self._question(session, project, question_id)
            now = _now()
            row = HypothesisRow(
                question_id=question.id,
                text=text,
                status="open",
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            session.add(
                HypothesisStatusRow(
                    hypothesis_id=row.id, from_status=None, to_status="open", actor=actor, at=now
                )
            )
            session.flush()
            return self._record(session, project, row)

    def get(self, project: str, hypothesis_id: int) -> HypothesisRecord:
        with self._repo.session() as session:
            return self._record(session, project, self._row(session, project, hypothesis_id))

    def list(
        self, project: str, *, question_id: int | None = None, status: str | None = None
    ) -> list[HypothesisRecord]:
        """Oldest first within a question, questions in id order."""
        if status is not None:
            _check_choice(status, HYPOTHESIS_STATUSES, "status")
        with self._repo.session() as session:
            query = (
                select(HypothesisRow)
                .join(QuestionRow, QuestionRow.id == HypothesisRow.question_id)
                .where(
                    QuestionRow.project_id == project_id(session, project, HypothesisNotFoundError)
                )
            )
            if question_id is not None:
                self._question(session, project, question_id)
                query = query.where(HypothesisRow.question_id == question_id)
            if status is not None:
                query = query.where(HypothesisRow.status == status)
            rows = session.scalars(
                query.order_by(HypothesisRow.question_id, HypothesisRow.id)
            ).all()
            return [self._record(session, project, r) for r in rows]

    def set_status(
        self, project: str, hypothesis_id: int, status: str, *, actor: str | None, reason: str = ""
    ) -> HypothesisRecord:
        """Move to ``status`` and keep the move; setting the current status again is a
        no-op (no history entry), so retries do not pollute the trail."""
        _check_choice(status, HYPOTHESIS_STATUSES, "status")
        with self._repo.session() as session:
            row = self._row(session, project, hypothesis_id)
            if row.status != status:
                now = _now()
                session.add(
                    HypothesisStatusRow(
                        hypothesis_id=row.id,
                        from_status=row.status,
                        to_status=status,
                        reason=reason.strip(),
                        actor=actor,
                        at=now,
                    )
                )
                row.status = status
                row.updated_at = now
                session.flush()
            return self._record(session, project, row)

    def link(
        self,
        project: str,
        hypothesis_id: int,
        *,
        kind: str,
        ref: str,
        stance: str = "supports",
        excerpt: str | None = None,
        actor: str | None,
    ) -> HypothesisRecord:
        """Attach a typed reference; linking the same kind + id twice is refused."""
        _check_choice(kind, EVIDENCE_KINDS, "evidence kind")
        _check_choice(stance, EVIDENCE_STANCES, "stance")
        ref = ref.strip()
        if not ref or len(ref) > MAX_REF:
            raise HypothesisError(f"an evidence id has 1 to {MAX_REF} characters")
        try:
            with self._repo.session() as session:
                row = self._row(session, project, hypothesis_id)
                now = _now()
                session.add(
                    HypothesisEvidenceRow(
                        hypothesis_id=row.id,
                        kind=kind,
                        ref=ref,
                        stance=stance,
                        excerpt=excerpt.strip() if excerpt and excerpt.strip() else None,
                        linked_by=actor,
                        linked_at=now,
                    )
                )
                row.updated_at = now
                session.flush()
                return self._record(session, project, row)
        except IntegrityError:
            raise HypothesisError(
                f"hypothesis {hypothesis_id} already links {kind} {ref!r}"
            ) from None
