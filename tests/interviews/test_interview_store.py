"""Interviews in the research repository (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from fieldnote.interviews.transcripts import read_transcripts
from fieldnote.repository import (
    InterviewError,
    InterviewStore,
    Projects,
    Repository,
    ResearchStore,
)
from tests.interviews.transcript_samples import write_samples


@pytest.fixture
def store(repository: Repository) -> InterviewStore:
    repository.upgrade()
    Projects(repository).create("acme")
    Projects(repository).create("other")
    return InterviewStore(repository)


def test_round_trip_keeps_roles_times_and_marks(store: InterviewStore, tmp_path: Path) -> None:
    outcome = read_transcripts(write_samples(tmp_path).values(), project="acme")
    saved = store.save_many("acme", outcome.interviews)
    assert all(s.created for s in saved)
    for original in outcome.interviews:
        assert store.get("acme", original.id) == original
    listed = store.list("acme")
    assert {i.id for i in listed} == {i.id for i in outcome.interviews}
    assert all(i.utterances == () for i in listed)


def test_reimport_is_idempotent(store: InterviewStore, tmp_path: Path) -> None:
    interviews = read_transcripts(write_samples(tmp_path).values(), project="acme").interviews
    store.save_many("acme", interviews)
    again = store.save_many("acme", interviews + interviews[:1])
    assert not any(s.created for s in again)
    assert len(store.list("acme")) == len(interviews)


def test_projects_are_separate(store: InterviewStore, tmp_path: Path) -> None:
    interviews = read_transcripts(write_samples(tmp_path).values(), project="acme").interviews
    store.save_many("acme", interviews)
    assert store.list("other") == []
    with pytest.raises(InterviewError, match="project 'other' has no interview"):
        store.get("other", interviews[0].id)
    with pytest.raises(InterviewError, match="no project named 'nope'"):
        store.list("nope")


def test_study_link_is_checked(
    store: InterviewStore, repository: Repository, tmp_path: Path
) -> None:
    research = ResearchStore(repository)
    question, _ = research.open_or_update(
        "acme", anomaly_key=None, text="Why do mobile users stop at integrations?", evidence={}
    )
    study = research.propose_study(
        "acme", question.id, plan={}, quota=(5, 8), deadline=timedelta(days=2)
    )
    store.check_study("acme", str(study.id))
    with pytest.raises(InterviewError, match=f"this project has no study {study.id}"):
        store.check_study("other", str(study.id))
    with pytest.raises(InterviewError, match="must be a study id"):
        store.check_study("acme", "discovery")
    paths = write_samples(tmp_path).values()
    interviews = read_transcripts(paths, project="acme", study=str(study.id)).interviews
    store.save_many("acme", interviews)
    assert store.get("acme", interviews[0].id).study == str(study.id)
