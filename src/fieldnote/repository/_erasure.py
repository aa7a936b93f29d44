"""Erasing a participant: their personal data out of the research repository, their
events pseudonymised in the event store, and one audit record saying it happened.

Order makes it re-runnable: the event store goes first (``events`` callback, one
DuckDB transaction), then the repository in one transaction. If the second fails,
the participant row still holds what the first needs, and running again finishes the
job; a finished erasure run again changes nothing.

The repository part is targeted (the participant row becomes a tombstone holding only
the pseudonym; their invitations and consent records keep only the pseudonym; their
own utterances, notes and chat answers become ``[erased]``) and then exhaustive: every
text column of every table is searched for the email, name and phone and scrubbed,
so a table added later cannot keep a copy by accident. The full-text index is
refreshed in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    MetaData,
    String,
    Text,
    Unicode,
    UnicodeText,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from fieldnote.repository._chat_sessions import ChatSessionRow
from fieldnote.repository._consent import ConsentRecordRow
from fieldnote.repository._db import Repository
from fieldnote.repository._interviews import InterviewRow, UtteranceRow
from fieldnote.repository._invitations import InvitationRow
from fieldnote.repository._models import AuditEntry
from fieldnote.repository._monitors import project_id
from fieldnote.repository._panel import PanelError, ParticipantRow, find_participant
from fieldnote.repository._search_index import SEARCH_INDEXES
from fieldnote.repository._themebook import BookNoteRow, ThemeBookRow

__all__ = ["ERASED", "ErasureReport", "ErasureTarget", "erase_participant", "pseudonym_for"]

ERASED = "[erased]"
_SKIP_TABLES = ("alembic_version", "search_fts")


def pseudonym_for(project: str, participant_id: int) -> str:
    """Stable across re-runs, derived from nothing personal."""
    digest = hashlib.sha256(f"fieldnote-erased\0{project}\0{participant_id}".encode()).hexdigest()
    return f"erased-{digest[:16]}"


@dataclass(frozen=True, kw_only=True)
class ErasureTarget:
    """What the event store needs: whose ids to pseudonymise and which strings to scrub."""

    project: str
    participant_id: int
    pseudonym: str
    distinct_ids: tuple[str, ...]
    identifiers: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ErasureReport:
    participant_id: int
    pseudonym: str
    already_erased: bool
    repository: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "pseudonym": self.pseudonym,
            "already_erased": self.already_erased,
            "repository": self.repository,
            "events": self.events,
        }


def _target(session: Session, project: str, pid: int, key: str | int) -> ErasureTarget:
    row = find_participant(session, pid, key)
    pseudonym = pseudonym_for(project, row.id)
    ids = {row.distinct_id} if row.distinct_id and row.distinct_id != pseudonym else set()
    if row.email:
        ids.add(row.email)
    identifiers = [v for v in (row.email, row.name, row.phone) if v and len(v) >= 3]
    return ErasureTarget(
        project=project,
        participant_id=row.id,
        pseudonym=pseudonym,
        distinct_ids=tuple(sorted(ids)),
        identifiers=tuple(identifiers),
    )


def erase_participant(
    repository: Repository,
    project: str,
    key: str | int,
    *,
    actor: str,
    events: Callable[[ErasureTarget], dict[str, int]] | None = None,
) -> ErasureReport:
    """Erase everywhere; ``events`` pseudonymises the event store (None: no store)."""
    with repository.session() as session:
        pid = project_id(session, project, PanelError)
        target = _target(session, project, pid, key)
        already = find_participant(session, pid, key).erased_at is not None
    event_counts = events(target) if events is not None else None
    sqlite = repository.engine.dialect.name == "sqlite"
    with repository.session() as session:
        if sqlite:  # overwrite freed cells with zeros: old values leave the file too
            session.execute(text("PRAGMA secure_delete = ON"))
        counts = _erase_rows(session, pid, target)
        counts["scrubbed_cells"], touched = _sweep(session, target)
        index = SEARCH_INDEXES.get(session.get_bind().dialect.name)
        if index is not None:
            index.refresh(session)
        session.add(
            AuditEntry(
                at=datetime.now(UTC),
                actor=actor[:320],
                action="participant.erase",
                project=project,
                target=f"participant:{target.participant_id}",
                detail=json.dumps(
                    {"pseudonym": target.pseudonym, "repository": counts, "events": event_counts}
                ),
            )
        )
    _drop_old_versions(repository, {*_TARGETED, *touched})
    return ErasureReport(
        participant_id=target.participant_id,
        pseudonym=target.pseudonym,
        already_erased=already,
        repository=counts,
        events=event_counts,
    )


def _erase_rows(session: Session, pid: int, t: ErasureTarget) -> dict[str, int]:
    row = session.get(ParticipantRow, t.participant_id)
    assert row is not None
    keys = [*t.distinct_ids, t.pseudonym]
    names = [n for n in (row.name, row.email) if n]
    row.email = row.name = row.company = row.role = row.phone = None
    row.company_size = None
    row.custom = "{}"
    row.distinct_id = t.pseudonym
    row.pseudonym = t.pseudonym
    row.erased_at = row.erased_at or datetime.now(UTC)
    counts: dict[str, int] = {}
    for table, col in ((InvitationRow, "distinct_id"), (ConsentRecordRow, "distinct_id")):
        values: dict[str, Any] = {col: t.pseudonym}
        if table is InvitationRow:
            values.update(answers=None, session_id=None)
        result = session.execute(
            update(table)
            .where(table.project_id == pid, getattr(table, col).in_(t.distinct_ids))
            .values(**values)
        )
        counts[table.__tablename__] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    whose = [*keys, *names]
    interviews = session.scalars(
        select(InterviewRow).where(
            InterviewRow.project_id == pid, InterviewRow.participant.in_(whose)
        )
    ).all()
    parts = _name_parts(t.identifiers)
    for interview in interviews:
        interview.participant = t.pseudonym
        speakers = json.loads(interview.speakers)
        for s in speakers:
            if s.get("role") == "participant" or s.get("name") in whose:
                s["name"] = t.pseudonym
        interview.speakers = json.dumps(speakers)
        interview.source = ERASED
        for u in session.scalars(
            select(UtteranceRow).where(UtteranceRow.interview_id == interview.id)
        ):
            if u.role == "participant" or u.speaker in whose:
                u.text, u.speaker = ERASED, t.pseudonym
            elif parts is not None:
                u.text = parts.sub(ERASED, u.text)
    counts["interviews"] = len(interviews)
    notes = session.execute(
        update(BookNoteRow)
        .where(
            BookNoteRow.participant.in_(whose),
            BookNoteRow.book_id.in_(select(ThemeBookRow.id).where(ThemeBookRow.project_id == pid)),
        )
        .values(participant=t.pseudonym, text=ERASED)
    )
    counts["notes"] = int(notes.rowcount or 0)  # type: ignore[attr-defined]
    chats = session.scalars(
        select(ChatSessionRow).where(
            ChatSessionRow.project_id == pid, ChatSessionRow.participant.in_(whose)
        )
    ).all()
    for chat in chats:
        chat.participant = t.pseudonym
        chat.state = json.dumps(_erase_answers(json.loads(chat.state)))
    counts["chat_sessions"] = len(chats)
    session.flush()
    return counts


def _name_parts(identifiers: Sequence[str]) -> re.Pattern[str] | None:
    """The full strings and each word of the name (``Thanks, Alice``), for the
    participant's own transcripts only."""
    words = set(identifiers)
    for ident in identifiers:
        if "@" not in ident:
            words.update(w for w in re.findall(r"\w+", ident) if len(w) >= 3)
    ordered = sorted(words, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ordered) + r")\b", re.I)


def _erase_answers(state: Any) -> Any:
    """A chat session's state with the participant's turns erased."""
    if isinstance(state, dict):
        for turn in state.get("turns") or []:
            if isinstance(turn, dict) and turn.get("role") == "participant":
                turn["text"] = ERASED
    return state


_TEXT_TYPES = (String, Text, Unicode, UnicodeText, JSON)


def _sweep(session: Session, t: ErasureTarget) -> tuple[int, set[str]]:
    """Every text column of every table: replace the identifiers wherever they remain.

    Returns the cells changed and the tables they are in."""
    if not t.identifiers:
        return 0, set()
    words = "|".join(re.escape(i) for i in t.identifiers)
    # whole words only: erasing "Ana" must not touch "Analytics"
    pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
    meta = MetaData()
    meta.reflect(bind=session.connection())
    changed = 0
    tables: set[str] = set()
    for table in meta.sorted_tables:
        if table.name.startswith(_SKIP_TABLES) or not table.primary_key.columns:
            continue
        pk = list(table.primary_key.columns)
        for col in table.columns:
            if not isinstance(col.type, _TEXT_TYPES) or col.computed is not None:
                continue
            hit = [func.lower(col).contains(i.lower(), autoescape=True) for i in t.identifiers]
            rows = session.execute(select(*pk, col).where(or_(*hit))).all()
            for r in rows:
                new = pattern.sub(t.pseudonym if col.name in ("actor", "target") else ERASED, r[-1])
                if new == r[-1]:
                    continue  # only inside a longer word
                where = [c == r[i] for i, c in enumerate(pk)]
                session.execute(update(table).where(*where).values({col.name: new}))
                changed += 1
                tables.add(table.name)
    return changed, tables


#: Tables the targeted part of an erasure updates (the sweep adds the ones it hit).
_TARGETED = (
    "participants",
    "invitations",
    "consent_records",
    "interviews",
    "interview_utterances",
    "theme_book_notes",
    "interview_sessions",
    "audit_log",
    "search_documents",
)


#: How long an erasure retries emptying SQLite's WAL while readers hold it.
WAL_WAIT_SECONDS = 5.0


def _truncate_wal(conn: Connection) -> bool:
    """Empty SQLite's WAL; a reader in the middle of a read holds it, so retry a while.
    False if readers kept it busy throughout."""
    deadline = time.monotonic() + WAL_WAIT_SECONDS
    while True:
        row = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).first()
        if row is None or row[0] == 0:  # busy = 0: checkpointed and truncated
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


#: How long PostgreSQL's VACUUM FULL may wait for another session's lock on a table.
VACUUM_LOCK_TIMEOUT = "30s"


def _drop_old_versions(repository: Repository, tables: set[str]) -> None:
    """Make the database files forget the values the erasure replaced.

    An UPDATE leaves the old row version behind until the space is reused. SQLite:
    ``secure_delete`` already zeroed freed cells; ``VACUUM`` rebuilds the file (the
    FTS index's pages included) and ``wal_checkpoint(TRUNCATE)`` empties the WAL
    that VACUUM wrote through. PostgreSQL: ``VACUUM FULL`` rewrites each touched table
    and its indexes into new files and deletes the old ones (an ACCESS EXCLUSIVE lock
    per table while it runs). What neither can reach: PostgreSQL's WAL segments
    (``pg_wal``, recycled after checkpoints), WAL archives, replicas and backups keep
    the old values until they expire (docs/research.md).
    """
    engine = repository.engine
    step = "VACUUM"
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("VACUUM"))
                if not _truncate_wal(conn):
                    raise PanelError(
                        _kept(
                            "PRAGMA wal_checkpoint(TRUNCATE)",
                            f"readers busy for {WAL_WAIT_SECONDS:g} s",
                        )
                    )
            elif engine.dialect.name == "postgresql":
                conn.execute(text(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'"))
                present = set(inspect(conn).get_table_names())
                for table in sorted(tables & present):
                    step = f'VACUUM FULL "{table}"'
                    conn.execute(text(step))
    except OperationalError as exc:
        raise PanelError(_kept(step, str(exc.orig).splitlines()[0])) from exc


def _kept(step: str, why: str) -> str:
    return (
        f"the participant's data is erased from every table, but {step} failed ({why}), "
        "so old row versions may remain in the database files; run the erase again"
    )
