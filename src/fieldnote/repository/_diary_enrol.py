"""Enrolling a diary participant the way every front end does it (the CLI, the API,
the researcher's page): check the consent parts named,
take the diary's current consent text when none is given, then ``DiaryStore.enrol``
(consent and every prompt in one transaction)."""

from __future__ import annotations

from collections.abc import Iterable

from fieldnote.interviews.diaries import DiaryError
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._db import Repository
from fieldnote.repository._diaries import DiaryStore
from fieldnote.repository._diary_records import Enrolment
from fieldnote.research import CONSENT_PARTS

__all__ = ["DEFAULT_AGREE", "enrol_participant"]

DEFAULT_AGREE = ("data_use", "contact")
"""What a diary needs at least: the entries are used, and prompts come by email."""


def enrol_participant(
    repository: Repository,
    project: str,
    diary: str,
    participant: str,
    *,
    email: str,
    timezone: str = "UTC",
    name: str | None = None,
    consent_text_id: int | None = None,
    agree: Iterable[str] = DEFAULT_AGREE,
) -> Enrolment:
    parts = {p.strip() for p in agree if p.strip()}
    unknown = parts - set(CONSENT_PARTS)
    if unknown:
        raise DiaryError(
            f"agree: unknown part(s) {', '.join(sorted(unknown))}; "
            f"parts are {', '.join(CONSENT_PARTS)}"
        )
    store = DiaryStore(repository)
    record = store.get(project, diary)
    if consent_text_id is None:
        current = ConsentStore(repository).current(project, study_id=record.study_id)
        if current is None:
            raise DiaryError(
                "consent: no consent text yet; publish one with "
                "`fieldnote participants consent-text FILE`"
            )
        consent_text_id = current.id
    return store.enrol(
        project,
        diary,
        participant,
        email=email,
        timezone=timezone,
        name=name,
        consent_text_id=consent_text_id,
        parts={p: p in parts for p in CONSENT_PARTS},
    )
