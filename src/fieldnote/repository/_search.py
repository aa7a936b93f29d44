"""The research repository's search: one document per utterance, note, theme,
question and hypothesis, queried through the dialect's own full-text engine.

Documents are *redacted when indexed* (``fieldnote.interviews.redaction``, with the
interview's speaker names as context), so neither a hit's snippet nor a query for an
e-mail address can surface personal data; the raw transcript stays behind its own
permission. Utterance hits carry the interview id and the utterance's start time, the
link back to the quote at its moment. ``reindex`` rebuilds a project's documents in
one transaction (a search during it sees the old index).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    bindparam,
    delete,
    insert,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.interviews import Role
from fieldnote.interviews.redaction import RedactionContext, redact_text
from fieldnote.repository._db import Repository
from fieldnote.repository._hypotheses import HypothesisRow
from fieldnote.repository._interviews import InterviewRow, UtteranceRow
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import project_id
from fieldnote.repository._research import QuestionRow
from fieldnote.repository._search_filters import (
    SEARCH_KINDS,
    SearchError,
    SearchFilters,
    search_filters,
)
from fieldnote.repository._search_index import SEARCH_INDEXES, SearchIndex
from fieldnote.repository._themebook import BookNoteRow, BookThemeRow, ThemeBookRow

__all__ = [
    "SEARCH_KINDS",
    "SearchError",
    "SearchFilters",
    "SearchHit",
    "SearchStore",
    "search_filters",
]


class SearchDocumentRow(Base):
    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    ref: Mapped[str] = mapped_column(String(200), nullable=False)
    interview_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    start_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    study_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tags: Mapped[str] = mapped_column(Text, nullable=False, default="")
    at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    participant: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """Who said it (utterances, notes): lets a segment filter pick its people's words;
    never returned in a hit."""


@dataclass(frozen=True, kw_only=True)
class SearchHit:
    kind: str
    ref: str
    """utterance ``<interview>#<index>``, note/theme ``<book>:<id>``, question/hypothesis id."""
    interview_id: str | None
    start_s: float | None
    """The utterance's (or note's source utterance's) moment in the recording."""
    study_id: int | None
    tags: tuple[str, ...]
    at: datetime | None
    text: str
    """The redacted document text."""
    snippet: str
    """The matching passage, redacted, matches in [brackets]."""
    score: float = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "interview_id": self.interview_id,
            "start_s": self.start_s,
            "study_id": self.study_id,
            "tags": list(self.tags),
            "at": self.at.isoformat() if self.at else None,
            "text": self.text,
            "snippet": self.snippet,
            "score": self.score,
        }


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite text() results are not type-coerced
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _tags(tags: list[str]) -> str:
    return "".join(f"|{t}|" for t in tags)


class SearchStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository
        dialect = repository.engine.dialect.name
        index = SEARCH_INDEXES.get(dialect)
        if index is None:
            raise SearchError(
                f"no full-text search for {dialect} (have {', '.join(SEARCH_INDEXES)})"
            )
        self._index: SearchIndex = index

    def _documents(self, session: Session, pid: int) -> Iterator[dict[str, Any]]:
        interviews = session.scalars(
            select(InterviewRow).where(InterviewRow.project_id == pid)
        ).all()
        studies = {i.id: i.study_id for i in interviews}
        for iv in interviews:
            speakers = json.loads(iv.speakers)
            ctx = RedactionContext(
                participant_names=tuple(
                    [s["name"] for s in speakers if s["role"] == Role.PARTICIPANT]
                    + ([iv.participant] if iv.participant else [])
                ),
                other_names=tuple(s["name"] for s in speakers if s["role"] != Role.PARTICIPANT),
            )
            for u in session.scalars(
                select(UtteranceRow).where(UtteranceRow.interview_id == iv.id)
            ):
                yield {
                    "kind": "utterance",
                    "ref": f"{iv.id}#{u.idx}",
                    "interview_id": iv.id,
                    "start_s": u.start_s,
                    "study_id": iv.study_id,
                    "tags": "",
                    "at": iv.created_at,
                    "body": redact_text(u.text, ctx).text,
                    "participant": iv.participant,
                }
        books = session.execute(
            select(ThemeBookRow.id, ThemeBookRow.name, ThemeBookRow.created_at).where(
                ThemeBookRow.project_id == pid
            )
        ).all()
        for book_id, book, created in books:
            for t in session.scalars(select(BookThemeRow).where(BookThemeRow.book_id == book_id)):
                if t.merged_into is None:
                    yield {
                        "kind": "theme",
                        "ref": f"{book}:{t.theme}",
                        "interview_id": None,
                        "start_s": None,
                        "study_id": None,
                        "tags": "",
                        "at": created,
                        "body": t.label,
                        "participant": None,
                    }
            for n in session.scalars(select(BookNoteRow).where(BookNoteRow.book_id == book_id)):
                ctx = RedactionContext(participant_names=(n.participant,) if n.participant else ())
                source = n.source if n.source in studies else None
                yield {
                    "kind": "note",
                    "ref": f"{book}:{n.note}",
                    "interview_id": source,
                    "start_s": None,
                    "study_id": studies.get(n.source),
                    "at": created,
                    "tags": _tags(json.loads(n.tags)),
                    "body": redact_text(n.text, ctx).text,
                    "participant": n.participant,
                }
        for q in session.scalars(select(QuestionRow).where(QuestionRow.project_id == pid)):
            yield {
                "kind": "question",
                "ref": str(q.id),
                "interview_id": None,
                "start_s": None,
                "study_id": None,
                "tags": "",
                "at": q.opened_at,
                "body": q.text,
                "participant": None,
            }
        for h in session.scalars(
            select(HypothesisRow)
            .join(QuestionRow, QuestionRow.id == HypothesisRow.question_id)
            .where(QuestionRow.project_id == pid)
        ):
            yield {
                "kind": "hypothesis",
                "ref": str(h.id),
                "interview_id": None,
                "start_s": None,
                "study_id": None,
                "tags": "",
                "at": h.created_at,
                "body": h.text,
                "participant": None,
            }

    def reindex(self, project: str) -> int:
        """Rebuild the project's documents from its interviews, theme books, questions
        and hypotheses; returns how many documents are indexed."""
        with self._repo.session() as session:
            pid = project_id(session, project, SearchError)
            session.execute(delete(SearchDocumentRow).where(SearchDocumentRow.project_id == pid))
            batch: list[dict[str, Any]] = []
            count = 0
            for doc in self._documents(session, pid):
                batch.append({**doc, "project_id": pid})
                if len(batch) >= 5000:
                    session.execute(insert(SearchDocumentRow), batch)
                    count += len(batch)
                    batch = []
            if batch:
                session.execute(insert(SearchDocumentRow), batch)
                count += len(batch)
            self._index.refresh(session)
            return count

    def participants(self, project: str) -> frozenset[str]:
        """Everyone whose words are indexed (for a segment filter to intersect with)."""
        with self._repo.session() as session:
            pid = project_id(session, project, SearchError)
            found = session.scalars(
                select(SearchDocumentRow.participant)
                .where(
                    SearchDocumentRow.project_id == pid,
                    SearchDocumentRow.participant.is_not(None),
                )
                .distinct()
            ).all()
            return frozenset(str(p) for p in found)

    def search(
        self, project: str, query: str, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Best matches first; an empty or punctuation-only query finds nothing."""
        filters = filters or SearchFilters()
        filters.check()
        prepared = self._index.prepare(query.strip())
        if not prepared:
            return []
        where, params = filters.where()
        with self._repo.session() as session:
            pid = project_id(session, project, SearchError)
            stmt = sql_text(self._index.sql(where)).bindparams(
                *(
                    bindparam(k, type_=DateTime(timezone=True))
                    for k in ("since", "until")
                    if k in params
                )
            )
            rows = session.execute(
                stmt.columns(at=DateTime(timezone=True)),
                {**params, "q": prepared, "pid": pid, "limit": filters.limit},
            ).all()
        return [
            SearchHit(
                kind=r.kind,
                ref=r.ref,
                interview_id=r.interview_id,
                start_s=r.start_s,
                study_id=r.study_id,
                tags=tuple(t for t in r.tags.split("|") if t),
                at=_aware(r.at),
                text=r.body,
                snippet=r.snippet,
                score=float(r.score),
            )
            for r in rows
        ]
