"""Diary prompts going out and entries coming in.

``DiaryOutbox`` is the repository side of ``fieldnote.interviews.diaries.send_due``:
due rows, a claim that only one process wins (a conditional UPDATE, atomic on SQLite
and PostgreSQL), and the outcome of each send. ``DiaryEntries`` serves the
participant's link: the prompt, and one entry per prompt, stored in the same
transaction as the two utterances it adds to the participant's diary transcript (an
``interviews`` row of format ``diary``, created with the first entry).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fieldnote.interviews.diaries import (
    DiaryDefinition,
    DiaryError,
    DuePrompt,
    diary_speakers,
    entry_utterances,
    token_hash,
)
from fieldnote.repository._consent import ConsentStore, withdrawn_at
from fieldnote.repository._db import Repository
from fieldnote.repository._diaries import DiaryEnrolmentRow, DiaryEntryRow, DiaryRow
from fieldnote.repository._interviews import InterviewRow, UtteranceRow
from fieldnote.repository._models import Project
from fieldnote.repository._monitors import aware

__all__ = [
    "MAX_ENTRY_CHARS",
    "DiaryConflict",
    "DiaryEntries",
    "DiaryLinkError",
    "DiaryOutbox",
    "EntryView",
]

MAX_ENTRY_CHARS = 5000


class DiaryLinkError(DiaryError):
    """The link is unknown (never issued, or mistyped)."""


class DiaryConflict(DiaryError):
    """The entry cannot be written now: answered already, closed, or consent withdrawn."""


def _now() -> datetime:
    return datetime.now(UTC)


def _changed(result: Any) -> bool:
    return int(getattr(result, "rowcount", 0)) == 1


class DiaryOutbox:
    """Implements ``PromptOutbox`` on the repository."""

    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def due(self, now: datetime) -> list[DuePrompt]:
        with self._repo.session() as session:
            rows = session.execute(
                select(DiaryEntryRow, DiaryEnrolmentRow, DiaryRow, Project.name)
                .join(DiaryEnrolmentRow, DiaryEnrolmentRow.id == DiaryEntryRow.enrolment_id)
                .join(DiaryRow, DiaryRow.id == DiaryEnrolmentRow.diary_id)
                .join(Project, Project.id == DiaryRow.project_id)
                .where(
                    DiaryEntryRow.due_at <= now,
                    DiaryEntryRow.sent_at.is_(None),
                    DiaryEntryRow.claimed_at.is_(None),
                    DiaryEntryRow.skipped.is_(None),
                    DiaryEntryRow.answered_at.is_(None),
                )
                .order_by(DiaryEntryRow.due_at, DiaryEntryRow.id)
            ).all()
            totals = dict(
                session.execute(
                    select(DiaryEntryRow.enrolment_id, func.count())
                    .where(DiaryEntryRow.enrolment_id.in_({e.id for _, e, _, _ in rows}))
                    .group_by(DiaryEntryRow.enrolment_id)
                ).all()
            )
            out = []
            for entry, enrolment, diary, project in rows:
                definition = DiaryDefinition.from_dict(orjson.loads(diary.definition))
                out.append(
                    DuePrompt(
                        entry_id=entry.id,
                        project=project,
                        diary=diary.name,
                        distinct_id=enrolment.distinct_id,
                        email=enrolment.email,
                        prompt=entry.prompt,
                        seq=entry.seq,
                        total=int(totals.get(enrolment.id, 0)),
                        due_at=aware(entry.due_at),
                        answer_within_hours=definition.answer_within_hours,
                        withdrawn=withdrawn_at(session, diary.project_id, enrolment.distinct_id)
                        is not None,
                        attempts=entry.attempts,
                    )
                )
            return out

    def _update(self, entry_id: int, *conditions: Any, **values: Any) -> bool:
        with self._repo.session() as session:
            done = session.execute(
                update(DiaryEntryRow)
                .where(DiaryEntryRow.id == entry_id, *conditions)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return _changed(done)

    def claim(self, entry_id: int, token_hash: str, now: datetime) -> bool:
        return self._update(
            entry_id,
            DiaryEntryRow.claimed_at.is_(None),
            DiaryEntryRow.sent_at.is_(None),
            DiaryEntryRow.skipped.is_(None),
            claimed_at=now,
            token_hash=token_hash,
        )

    def mark_sent(self, entry_id: int, now: datetime) -> None:
        self._update(entry_id, sent_at=now, last_error=None)

    def release(self, entry_id: int, error: str) -> None:
        self._update(
            entry_id,
            claimed_at=None,
            token_hash=None,
            attempts=DiaryEntryRow.attempts + 1,
            last_error=error[:2000],
        )

    def skip(self, entry_id: int, reason: str) -> None:
        self._update(entry_id, DiaryEntryRow.sent_at.is_(None), skipped=reason)


@dataclass(frozen=True, kw_only=True)
class EntryView:
    """What the participant's entry page shows."""

    project: str
    diary: str
    distinct_id: str
    seq: int
    total: int
    prompt: str
    status: str  # open | answered | closed | withdrawn
    text: str | None
    closes_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """The participant's own view: no ids or contact details."""
        return {
            "diary": self.diary,
            "number": self.seq + 1,
            "total": self.total,
            "prompt": self.prompt,
            "status": self.status,
            "text": self.text,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
        }


class DiaryEntries:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def _find(
        self, session: Session, token: str
    ) -> tuple[DiaryEntryRow, DiaryEnrolmentRow, DiaryRow, str]:
        found = session.execute(
            select(DiaryEntryRow, DiaryEnrolmentRow, DiaryRow, Project.name)
            .join(DiaryEnrolmentRow, DiaryEnrolmentRow.id == DiaryEntryRow.enrolment_id)
            .join(DiaryRow, DiaryRow.id == DiaryEnrolmentRow.diary_id)
            .join(Project, Project.id == DiaryRow.project_id)
            .where(DiaryEntryRow.token_hash == token_hash(token))
        ).first()
        if found is None:
            raise DiaryLinkError("this diary link is not valid")
        entry, enrolment, diary, project = found
        return entry, enrolment, diary, project

    def _view(
        self,
        session: Session,
        entry: DiaryEntryRow,
        enrolment: DiaryEnrolmentRow,
        diary: DiaryRow,
        project: str,
        now: datetime,
    ) -> EntryView:
        window = DiaryDefinition.from_dict(orjson.loads(diary.definition)).answer_within_hours
        opened = entry.sent_at or entry.claimed_at
        closes = aware(opened) + timedelta(hours=window) if opened is not None else None
        if entry.answered_at is not None:
            status = "answered"
        elif withdrawn_at(session, diary.project_id, enrolment.distinct_id) is not None:
            status = "withdrawn"
        elif entry.skipped is not None or closes is None or now > closes:
            status = "closed"
        else:
            status = "open"
        total = session.scalar(
            select(func.count()).where(DiaryEntryRow.enrolment_id == enrolment.id)
        )
        return EntryView(
            project=project,
            diary=diary.name,
            distinct_id=enrolment.distinct_id,
            seq=entry.seq,
            total=int(total or 0),
            prompt=entry.prompt,
            status=status,
            text=entry.text,
            closes_at=closes,
        )

    def view(self, token: str, *, now: datetime | None = None) -> EntryView:
        with self._repo.session() as session:
            return self._view(session, *self._find(session, token), now or _now())

    def answer(self, token: str, text: str, *, now: datetime | None = None) -> EntryView:
        """Store the entry and its utterances once; the same entry sent again (a retry
        after a dropped connection) gets the stored view back."""
        now = now or _now()
        text = text.strip()
        if not text or len(text) > MAX_ENTRY_CHARS:
            raise DiaryError(f"text: expected 1-{MAX_ENTRY_CHARS} characters")
        with self._repo.session() as session:
            entry, enrolment, diary, project = self._find(session, token)
            view = self._view(session, entry, enrolment, diary, project, now)
            if view.status == "answered":
                if (entry.text or "") == text:
                    return view
                raise DiaryConflict("this prompt is answered already")
            if view.status != "open":
                raise DiaryConflict(
                    "you stopped this diary; nothing more is recorded"
                    if view.status == "withdrawn"
                    else "this prompt has closed"
                )
            # The enrolment row is the lock for the participant's transcript: entries to
            # two prompts at once must not take the same utterance index. PostgreSQL
            # locks the row; SQLite takes its one write lock at the UPDATE below, before
            # the transcript row is read, which serialises the same way.
            session.execute(
                select(DiaryEnrolmentRow.id)
                .where(DiaryEnrolmentRow.id == enrolment.id)
                .with_for_update()
            )
            taken = session.execute(
                update(DiaryEntryRow)
                .where(DiaryEntryRow.id == entry.id, DiaryEntryRow.answered_at.is_(None))
                .values(answered_at=now, text=text)
                .execution_options(synchronize_session=False)
            )
            if not _changed(taken):
                raise DiaryConflict("this prompt was answered meanwhile; reload the page")
            self._append(session, entry, enrolment, diary, text, now)
            return replace(view, status="answered", text=text)

    @staticmethod
    def _append(
        session: Session,
        entry: DiaryEntryRow,
        enrolment: DiaryEnrolmentRow,
        diary: DiaryRow,
        text: str,
        now: datetime,
    ) -> None:
        label = enrolment.name or enrolment.distinct_id
        interview = session.get(InterviewRow, enrolment.interview_id)
        if interview is None:
            interview = InterviewRow(
                id=enrolment.interview_id,
                project_id=diary.project_id,
                study_id=diary.study_id,
                participant=label,
                source=f"diary:{diary.name}",
                format="diary",
                speakers=json.dumps([s.to_dict() for s in diary_speakers(label)]),
                utterance_count=0,
                created_at=now,
            )
            session.add(interview)
            session.flush()
        prompt_u, entry_u = entry_utterances(
            next_index=interview.utterance_count,
            participant=label,
            prompt=entry.prompt,
            text=text,
            enrolled_at=aware(enrolment.enrolled_at),
            sent_at=aware(entry.sent_at or entry.claimed_at or now),
            answered_at=now,
        )
        for u in (prompt_u, entry_u):
            session.add(
                UtteranceRow(
                    interview_id=interview.id,
                    idx=u.index,
                    speaker=u.speaker[:200],
                    role=u.role.value,
                    start_s=u.start,
                    end_s=u.end,
                    text=u.text,
                    marks=json.dumps([m.to_dict() for m in u.marks]),
                )
            )
        interview.utterance_count += 2

    def withdraw(self, token: str) -> EntryView:
        """The participant stops the diary from its link: consent is withdrawn (the
        project-wide record intercepts and invitations also honour)."""
        with self._repo.session() as session:
            _, enrolment, _, project = self._find(session, token)
        ConsentStore(self._repo).withdraw(project, enrolment.distinct_id)
        return self.view(token)
