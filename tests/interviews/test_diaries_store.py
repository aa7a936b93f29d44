"""Diary studies in the repository, on SQLite and PostgreSQL: enrolment with consent,
prompts mailed through a real SMTP server exactly once, entries stored as utterances
of one transcript per participant, missed and skipped prompts reported, withdrawal
stopping everything."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from fieldnote.interviews import Role
from fieldnote.interviews.diaries import (
    DiaryDefinition,
    DiaryError,
    SmtpMailer,
    send_due,
)
from fieldnote.repository import InterviewStore, Projects, Repository
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._diaries import DiaryStore
from fieldnote.repository._diary_entries import (
    DiaryConflict,
    DiaryEntries,
    DiaryLinkError,
    DiaryOutbox,
)
from fieldnote.research import ConsentText
from tests.interviews.diary_support import Inbox, body, inbox, link_of

__all__ = ["inbox"]

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday morning
PROMPTS = [
    "Tell me about the last time you opened Pulseboard today. What were you trying to do?",
    "What got in your way today, if anything? Walk me through what happened.",
]
URL = "https://research.example.org"


@pytest.fixture
def setup(repository: Repository) -> tuple[Repository, int]:
    repository.upgrade()
    Projects(repository).create("pulse")
    text = ConsentStore(repository).publish(
        "pulse",
        ConsentText(
            recording="Your written entries are stored.",
            data_use="The product team reads them for research only.",
            contact="We email you one short prompt a day for a week.",
        ),
    )
    return repository, text.id


def _diary(repo: Repository, schedule: dict[str, object], window: float = 24) -> None:
    definition = DiaryDefinition.from_dict(
        {"prompts": PROMPTS, "schedule": schedule, "answer_within_hours": window}
    )
    DiaryStore(repo).create("pulse", "Mobile week", definition, created_by="ana@example.org")


def _enrol(repo: Repository, text_id: int, who: str, tz: str = "Europe/Berlin") -> None:
    DiaryStore(repo).enrol(
        "pulse",
        "Mobile week",
        who,
        email=f"{who}@example.net",
        timezone=tz,
        name=who.replace("_", " ").title(),
        consent_text_id=text_id,
        parts={"data_use": True, "contact": True, "recording": False},
        now=T0,
    )


def _mailer(inbox: Inbox) -> SmtpMailer:
    return SmtpMailer(host="127.0.0.1", port=inbox.port, sender="diary@example.org")


def test_enrolment_needs_contact_consent_and_a_valid_zone(setup: tuple[Repository, int]) -> None:
    repo, text_id = setup
    _diary(repo, {"kind": "daily", "at": "19:00", "days": 3})
    store = DiaryStore(repo)
    common = {"email": "lena@example.net", "consent_text_id": text_id, "now": T0}
    with pytest.raises(DiaryError, match="contact must be agreed"):
        store.enrol(
            "pulse", "Mobile week", "lena", timezone="UTC", parts={"data_use": True}, **common
        )  # type: ignore[arg-type]
    with pytest.raises(DiaryError, match="timezone: 'Mars/Olympus'"):
        store.enrol(
            "pulse",
            "Mobile week",
            "lena",
            timezone="Mars/Olympus",
            parts={"data_use": True, "contact": True},
            **common,
        )  # type: ignore[arg-type]
    with pytest.raises(DiaryError, match="email: 'lena at example'"):
        store.enrol(
            "pulse",
            "Mobile week",
            "lena",
            timezone="UTC",
            parts={"data_use": True, "contact": True},
            **{**common, "email": "lena at example"},
        )  # type: ignore[arg-type]
    with pytest.raises(DiaryError, match="no diary named 'Nope'"):
        store.enrol(
            "pulse",
            "Nope",
            "lena",
            timezone="UTC",
            parts={"data_use": True, "contact": True},
            **common,
        )  # type: ignore[arg-type]
    assert store.progress("pulse", "Mobile week") == []  # nothing half-written
    assert ConsentStore(repo).records("pulse", "lena") == []
    _enrol(repo, text_id, "lena")
    with pytest.raises(DiaryError, match="already enrolled"):
        _enrol(repo, text_id, "lena")
    [record] = ConsentStore(repo).records("pulse", "lena")
    assert record.action == "granted" and record.contact and record.version == 1


def test_daily_prompts_are_mailed_once_and_entries_become_utterances(
    setup: tuple[Repository, int], inbox: Inbox
) -> None:
    repo, text_id = setup
    _diary(repo, {"kind": "daily", "at": "19:00", "days": 3})
    _enrol(repo, text_id, "lena_novak")  # Berlin: 19:00 CET is 18:00 UTC
    outbox = DiaryOutbox(repo)
    assert send_due(outbox, _mailer(inbox), now=T0, public_url=URL).sent == []
    first_evening = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    report = send_due(outbox, _mailer(inbox), now=first_evening, public_url=URL)
    assert [(s["participant"], s["seq"]) for s in report.sent] == [("lena_novak", 0)]
    again = send_due(
        outbox, _mailer(inbox), now=first_evening + timedelta(minutes=1), public_url=URL
    )
    assert again.sent == [] and len(inbox.messages) == 1  # never two emails for one prompt
    message = inbox.messages[0]
    assert message["To"] == "lena_novak@example.net"
    assert message["Subject"] == "Diary 1 of 3: Mobile week"
    assert PROMPTS[0] in body(message)
    assert PROMPTS[0] in body(message, "text/html") and "Stop my diary" in body(message)
    url, token = link_of(message)
    assert url.startswith(f"{URL}/d/")

    entries = DiaryEntries(repo)
    view = entries.view(token, now=first_evening + timedelta(minutes=5))
    assert (view.status, view.prompt, view.seq, view.total) == ("open", PROMPTS[0], 0, 3)
    text = "Um, I opened it on the bus to check the weekly report, but the chart was tiny."
    written = entries.answer(token, text, now=first_evening + timedelta(hours=2))
    assert written.status == "answered" and written.text == text
    assert entries.answer(token, text).status == "answered"  # a retry: stored once
    with pytest.raises(DiaryConflict, match="answered already"):
        entries.answer(token, "Something else entirely.")

    second_evening = first_evening + timedelta(days=1)
    send_due(outbox, _mailer(inbox), now=second_evening, public_url=URL)
    _, token2 = link_of(inbox.messages[1])
    assert PROMPTS[1] in body(inbox.messages[1])
    entries.answer(
        token2,
        "The HubSpot step wanted an admin; I gave up.",
        now=second_evening + timedelta(minutes=30),
    )

    progress = DiaryStore(repo).progress(
        "pulse", "Mobile week", now=second_evening + timedelta(hours=1)
    )
    [lena] = progress
    interview = InterviewStore(repo).get("pulse", lena.interview_id)
    assert interview.format == "diary" and interview.participant == "Lena Novak"
    assert [(u.index, u.role, u.speaker) for u in interview.utterances] == [
        (0, Role.INTERVIEWER, "Diary"),
        (1, Role.PARTICIPANT, "Lena Novak"),
        (2, Role.INTERVIEWER, "Diary"),
        (3, Role.PARTICIPANT, "Lena Novak"),
    ]
    assert [u.start for u in interview.utterances] == [36000.0, 43200.0, 122400.0, 124200.0]
    assert interview.utterances[1].text == text
    assert [m.kind.value for m in interview.utterances[1].marks] == ["filler"]
    assert lena.counts["answered"] == 2 and lena.counts["upcoming"] == 1


def test_missed_late_withdrawn_and_undeliverable_prompts_are_reported(
    setup: tuple[Repository, int], inbox: Inbox
) -> None:
    repo, text_id = setup
    _diary(repo, {"kind": "offsets", "hours": [1, 5, 30]}, window=3)
    for who in ("maria", "tom", "sam"):
        _enrol(repo, text_id, who, tz="America/New_York")
    outbox = DiaryOutbox(repo)
    send_due(outbox, _mailer(inbox), now=T0 + timedelta(hours=1), public_url=URL)
    assert len(inbox.messages) == 3
    ConsentStore(repo).withdraw("pulse", "tom")
    tokens = {m["To"].split("@")[0]: link_of(m)[1] for m in inbox.messages}
    entries = DiaryEntries(repo)
    with pytest.raises(DiaryConflict, match="stopped this diary"):
        entries.answer(tokens["tom"], "Still here.", now=T0 + timedelta(hours=2))
    with pytest.raises(DiaryConflict, match="closed"):  # the 3-hour window has passed
        entries.answer(tokens["sam"], "Late entry.", now=T0 + timedelta(hours=4, minutes=1))
    with pytest.raises(DiaryLinkError):
        entries.view("not-a-token")

    # The server was down from hour 5 until hour 9: the hour-5 prompt is 4 h late.
    report = send_due(outbox, _mailer(inbox), now=T0 + timedelta(hours=9), public_url=URL)
    assert report.sent == []
    assert sorted((s["participant"], s["reason"]) for s in report.skipped) == [
        ("maria", "late"),
        ("sam", "late"),
        ("tom", "withdrawn"),
    ]
    failed = send_due(
        outbox,
        SmtpMailer(host="127.0.0.1", port=1, sender="x@example.org", attempts=1, backoff=0),
        now=T0 + timedelta(hours=30),
        public_url=URL,
    )
    assert sorted(f["participant"] for f in failed.failed) == ["maria", "sam"]
    assert [s["reason"] for s in failed.skipped] == ["withdrawn"]
    retried = send_due(outbox, _mailer(inbox), now=T0 + timedelta(hours=31), public_url=URL)
    assert sorted(s["participant"] for s in retried.sent) == ["maria", "sam"]

    people = {
        p.distinct_id: p
        for p in DiaryStore(repo).progress("pulse", "Mobile week", now=T0 + timedelta(hours=40))
    }
    assert people["maria"].missed == [0, 2] and people["maria"].counts["skipped"] == 1
    assert people["tom"].withdrawn_at is not None and people["tom"].next_due is None
    assert people["tom"].counts["skipped"] == 2


def test_two_senders_at_once_mail_each_prompt_once(
    setup: tuple[Repository, int], inbox: Inbox
) -> None:
    repo, text_id = setup
    _diary(repo, {"kind": "offsets", "hours": [0]})
    for i in range(12):
        _enrol(repo, text_id, f"person_{i}")
    reports = []

    def run() -> None:
        reports.append(
            send_due(
                DiaryOutbox(repo), _mailer(inbox), now=T0 + timedelta(minutes=1), public_url=URL
            )
        )

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r.sent) for r in reports) == 12
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        f"person_{i}@example.net" for i in range(12)
    )


def test_entries_to_two_prompts_at_once_both_land_in_order(
    setup: tuple[Repository, int], inbox: Inbox
) -> None:
    repo, text_id = setup
    _diary(repo, {"kind": "offsets", "hours": [0, 0, 0, 0]})
    _enrol(repo, text_id, "ines")
    send_due(DiaryOutbox(repo), _mailer(inbox), now=T0 + timedelta(minutes=1), public_url=URL)
    tokens = [link_of(m)[1] for m in inbox.wait_for(4)]
    entries = DiaryEntries(repo)
    errors: list[Exception] = []

    def write(i: int, token: str) -> None:
        try:
            entries.answer(
                token,
                f"Entry number {i}: the report loaded slowly again.",
                now=T0 + timedelta(minutes=5),
            )
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i, t)) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    [ines] = DiaryStore(repo).progress("pulse", "Mobile week")
    interview = InterviewStore(repo).get("pulse", ines.interview_id)
    assert [u.index for u in interview.utterances] == list(range(8))
    texts = sorted(u.text for u in interview.participant_utterances)
    assert texts == sorted(f"Entry number {i}: the report loaded slowly again." for i in range(4))


def test_a_study_diary_feeds_synthesis(setup: tuple[Repository, int], inbox: Inbox) -> None:
    from fieldnote.repository import ResearchStore
    from fieldnote.synthesis import notes_from_interviews

    repo, text_id = setup
    research = ResearchStore(repo)
    question, _ = research.open_or_update(
        "pulse",
        anomaly_key=None,
        text="Why do mobile users stop at the integration step?",
        evidence={},
    )
    study = research.propose_study(
        "pulse", question.id, plan={}, quota=(5, 8), deadline=timedelta(hours=48)
    )
    definition = DiaryDefinition.from_dict(
        {"prompts": PROMPTS, "schedule": {"kind": "offsets", "hours": [0]}}
    )
    with pytest.raises(DiaryError, match="no study 999"):
        DiaryStore(repo).create("pulse", "Study diary", definition, study_id=999)
    DiaryStore(repo).create("pulse", "Mobile week", definition, study_id=study.id)
    _enrol(repo, text_id, "lena")
    send_due(DiaryOutbox(repo), _mailer(inbox), now=T0, public_url=URL)
    token = link_of(inbox.wait_for(1)[0])[1]
    entry = "I tried to connect HubSpot from my phone but it asked for an admin I don't have."
    DiaryEntries(repo).answer(token, entry, now=T0 + timedelta(minutes=20))
    in_study = [i for i in InterviewStore(repo).list("pulse") if i.study == str(study.id)]
    assert [i.format for i in in_study] == ["diary"]
    notes = notes_from_interviews([InterviewStore(repo).get("pulse", in_study[0].id)])
    assert [n.text for n in notes] == [entry]
