"""Erasure proves itself: after ``erase_participant`` no table of the research
repository (SQLite and PostgreSQL) and no column of the DuckDB event store holds the
participant's email, name or phone, nor do the raw bytes of the files (the DuckDB
store and its WAL, the SQLite database and its WAL) — and running it again changes
nothing."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from fieldnote.events import DuckDBEventStore, events_to_arrow
from fieldnote.events._erasure import erase_person_events
from fieldnote.events._model import Event
from fieldnote.interviews import Interview, Role, Speaker, Utterance
from fieldnote.repository import AuditLog, ChatSessions, Projects, Repository, SearchStore
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._erasure import ErasureTarget, erase_participant, pseudonym_for
from fieldnote.repository._interviews import InterviewStore
from fieldnote.repository._invitations import InvitationStore
from fieldnote.repository._panel import PanelError, ParticipantStore
from fieldnote.repository._search import SearchDocumentRow
from fieldnote.repository._themebook import BookNoteRow, ThemeBookRow
from fieldnote.research import ConsentText, parse_panel_csv
from tests.repository.conftest import repository

__all__ = ["repository"]

EMAIL = "mara.quist@northwind.example"
NAME = "Mara Quist"
PHONE = "+44 20 7946 0958"
SECRETS = (EMAIL, NAME, PHONE)
#: Contains the name, but as part of a longer word: another person, kept.
NEAR_MISS = "Mara Quistova"
_WHOLE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(s) for s in SECRETS) + r")(?!\w)", re.IGNORECASE
)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _events(path: Path) -> DuckDBEventStore:
    store = DuckDBEventStore(path)
    t = NOW - timedelta(days=2)
    batch = [
        Event(
            uuid=f"00000000-0000-4000-8000-00000000000{i}",
            project="default",
            distinct_id=who,
            event=name,
            timestamp=t + timedelta(minutes=i),
            properties_json=json.dumps(props),
        )
        for i, (who, name, props) in enumerate(
            [
                ("anon-77", "$pageview", {"$current_url": "https://app.example/signup"}),
                (
                    EMAIL,
                    "$identify",
                    {
                        "$anon_distinct_id": "anon-77",
                        "$set": {"email": EMAIL, "name": NAME, "phone": PHONE, "plan": "team"},
                    },
                ),
                (EMAIL, "report_created", {"$email": EMAIL, "title": f"Report for {NAME}"}),
                (EMAIL, "support_form", {"phone": PHONE, "note": f"call {PHONE} please"}),
                (
                    "other-1",
                    "$pageview",
                    {"referrer_note": f"invited by {EMAIL}", "colleague": NEAR_MISS},
                ),
            ]
        )
    ]
    store.commit(events_to_arrow(batch))
    return store


def _seed(repo: Repository) -> None:
    ParticipantStore(repo).import_rows(
        "default",
        parse_panel_csv(f"email,name,phone,company\n{EMAIL},{NAME},{PHONE},Northwind\n"),
    )
    interview = Interview(
        id="iv-mara",
        source=f"/recordings/{NAME}.vtt",
        format="vtt",
        participant=EMAIL,
        speakers=(
            Speaker(name=NAME, role=Role.PARTICIPANT, reason="by name"),
            Speaker(name="Rae", role=Role.INTERVIEWER, reason="asks questions"),
        ),
        utterances=(
            Utterance(
                index=0, speaker="Rae", role=Role.INTERVIEWER, text="Thanks for joining, Mara."
            ),
            Utterance(
                index=1,
                speaker=NAME,
                role=Role.PARTICIPANT,
                text=f"Sure, reach me at {PHONE} or {EMAIL}.",
            ),
        ),
    )
    InterviewStore(repo).save_many("default", [interview])
    inv = InvitationStore(repo)
    _, made = inv.queue("default", EMAIL, offer={"title": "Talk?"}, now=NOW)
    assert made is not None
    inv.act("default", made.id, EMAIL, "accept", answers=[f"I am {NAME}"])
    consent = ConsentStore(repo)
    version = consent.publish("default", ConsentText("r", "d", "c"))
    inv.consent("default", made.id, EMAIL, text_id=version.id, parts={"data_use": True})
    ChatSessions(repo).create(
        "default",
        {
            "turns": [
                {"role": "participant", "text": f"my number is {PHONE}"},
                {"role": "interviewer", "text": "Thanks!"},
            ]
        },
        participant=EMAIL,
    )
    with repo.session() as s:
        pid = s.scalar(text("SELECT id FROM projects WHERE name = 'default'"))
        book = ThemeBookRow(project_id=pid, name="main")
        s.add(book)
        s.flush()
        s.add(
            BookNoteRow(
                book_id=book.id,
                note="n1",
                text=f"{NAME}: exports are slow",
                participant=EMAIL,
                source="iv-mara#1",
            )
        )
    SearchStore(repo).reindex("default")
    with repo.session() as s:  # an index document that kept the raw text
        s.add(SearchDocumentRow(project_id=pid, kind="note", ref="raw", body=f"{NAME} {EMAIL}"))
        s.add(SearchDocumentRow(project_id=pid, kind="note", ref="near", body=f"{NEAR_MISS} too"))
    AuditLog(repo).record(
        actor="cli:test",
        action="participant.read",
        project="default",
        target=f"participant:{EMAIL}",
        detail={"who": NAME},
    )


def _repository_hits(repo: Repository) -> list[str]:
    hits = []
    with repo.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    hits += [f"{table}: {m}" for m in _WHOLE.findall(str(value))]
    return hits


def _event_hits(store: DuckDBEventStore) -> list[str]:
    con = store.connection
    hits = []
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    assert {"events", "persons", "person_distinct_ids"} <= {t[0] for t in tables}
    for (table,) in tables:
        for row in con.execute(f'SELECT * FROM "{table}"').fetchall():
            for value in row:
                hits += [f"{table}: {m}" for m in _WHOLE.findall(str(value))]
    return hits


def _raw_hits(folder: Path, *, duckdb_file: bool = True) -> list[str]:
    """The identifying strings found in the bytes of any file under ``folder``."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "events.duckdb" for p in files) == duckdb_file
    return [
        f"{p.name}: {m}" for p in files for m in _WHOLE.findall(p.read_bytes().decode("latin-1"))
    ]


def test_erasure_leaves_nothing_identifying_in_either_store(
    repository: Repository, tmp_path: Path
) -> None:
    repository.upgrade()
    Projects(repository).ensure_default()
    store = _events(tmp_path / "events.duckdb")
    _seed(repository)
    assert len(_repository_hits(repository)) >= 10  # the scan sees the seeded data
    assert len(_event_hits(store)) >= 5

    def events(target: ErasureTarget) -> dict[str, int]:
        return erase_person_events(
            store, target.project, target.distinct_ids, target.pseudonym, target.identifiers
        ).to_dict()

    report = erase_participant(repository, "default", EMAIL, actor="cli:test", events=events)
    assert report.events is not None and report.events["events"] == 5  # 4 own + 1 mention
    assert _repository_hits(repository) == []
    assert _event_hits(store) == []
    # not even in freed pages or blocks, or a write-ahead log
    assert report.events["file_rewritten"] == 1
    assert _raw_hits(tmp_path) == []

    # whole words only: another person whose name merely starts the same is kept
    (colleague,) = store.connection.execute(
        "SELECT json_extract_string(properties, '$.colleague') FROM events "
        "WHERE distinct_id = 'other-1'"
    ).fetchall()
    assert colleague == (NEAR_MISS,)
    with repository.session() as s:
        near = s.scalar(text("SELECT body FROM search_documents WHERE ref = 'near'"))
    assert near == f"{NEAR_MISS} too"

    pseudonym = pseudonym_for("default", report.participant_id)
    con = store.connection
    own = con.execute(
        "SELECT event FROM events WHERE distinct_id = ? ORDER BY timestamp", [pseudonym]
    ).fetchall()
    assert [e for (e,) in own] == ["$pageview", "$identify", "report_created", "support_form"]
    (raw,) = con.execute(
        "SELECT CAST(properties AS VARCHAR) FROM events WHERE event = '$identify'"
    ).fetchall()
    props = json.loads(raw[0])
    assert props == {"$anon_distinct_id": pseudonym, "$set": {"plan": "team"}}
    assert con.execute(
        "SELECT count(*) FROM person_distinct_ids WHERE distinct_id = ?", [pseudonym]
    ).fetchone() == (1,)
    # the tombstone and the audit trail stay, pseudonymous
    tomb = ParticipantStore(repository).get("default", report.participant_id)
    assert tomb.erased_at is not None and tomb.email is None and tomb.distinct_id == pseudonym
    assert [r.action for r in ConsentStore(repository).records("default", pseudonym)] == ["granted"]
    entries = AuditLog(repository).entries(project="default")
    assert entries[0].action == "participant.erase" and entries[0].detail["pseudonym"] == pseudonym
    assert SearchStore(repository).search("default", "Quist") == []

    again = erase_participant(
        repository, "default", report.participant_id, actor="cli:test", events=events
    )
    assert again.already_erased and again.events == {  # nothing left to do
        "distinct_ids": 0,
        "events": 0,
        "persons": 0,
        "other_cells": 0,
        "file_rewritten": 1,
    }
    assert _repository_hits(repository) == [] and _event_hits(store) == []
    assert _raw_hits(tmp_path) == []
    store.close()


def test_old_versions_that_cannot_be_dropped_yet_are_reported_and_a_rerun_finishes(
    repository: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session can hold what the clean-up needs: a PostgreSQL table (VACUUM
    FULL needs an exclusive lock), or SQLite's WAL (a reader in the middle of a read
    keeps the frames it may still need). The erase says precisely which step failed;
    the rows are already erased, and running it again afterwards finishes the job."""
    repository.upgrade()
    Projects(repository).ensure_default()
    ParticipantStore(repository).import_rows(
        "default", parse_panel_csv(f"email,name,phone\n{EMAIL},{NAME},{PHONE}\n")
    )
    monkeypatch.setattr("fieldnote.repository._erasure.VACUUM_LOCK_TIMEOUT", "200ms")
    monkeypatch.setattr("fieldnote.repository._erasure.WAL_WAIT_SECONDS", 0.3)
    sqlite = repository.engine.dialect.name == "sqlite"
    if sqlite:
        other = sqlite3.connect(tmp_path / "repo.sqlite")
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM participants").fetchall()  # a read snapshot
        failing = r"PRAGMA wal_checkpoint\(TRUNCATE\) failed \(readers busy for 0\.3 s\)"
    else:
        other_pg = repository.engine.connect()
        other_pg.execute(text("LOCK TABLE participants IN ACCESS SHARE MODE"))
        failing = r'VACUUM FULL "participants" failed \(.*lock'
    with pytest.raises(PanelError, match=failing):
        erase_participant(repository, "default", EMAIL, actor="cli:test")
    if sqlite:
        other.rollback()
        other.close()
    else:
        other_pg.rollback()
        other_pg.close()
    assert _repository_hits(repository) == []  # the rows were erased all the same
    (tomb,) = ParticipantStore(repository).list("default", include_erased=True)
    again = erase_participant(repository, "default", tomb.id, actor="cli:test")
    assert again.already_erased
    if sqlite:
        assert _raw_hits(tmp_path, duckdb_file=False) == []
