"""The weekly digest (issue 9 item 7): computed from a real repository (SQLite and
PostgreSQL), rendered as Markdown and HTML, emailed through a real SMTP server
(aiosmtpd) at most once per project and week."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from fieldnote.analytics import EventSource, store_source
from fieldnote.config import Settings
from fieldnote.events import DuckDBEventStore
from fieldnote.interviews.demo import demo_interviews
from fieldnote.monitors import (
    DigestMailer,
    Week,
    build_digest,
    digest_markdown,
    scheduled_digests,
    send_due_digests,
)
from fieldnote.monitors._digest_render import digest_html
from fieldnote.repository import (
    HypothesisStore,
    InterviewStore,
    MonitorStore,
    Projects,
    ReleaseStore,
    Repository,
    ResearchStore,
    ThemeBook,
)
from fieldnote.synthesis import notes_from_interviews, synthesize
from tests.conftest import free_port
from tests.repository.conftest import repository  # noqa: F401  (SQLite and PostgreSQL)

DEFINITION = {
    "metric": {"kind": "conversion", "steps": ["signup", "activated"], "window": "7d"},
    "rule": {"rule": "swing", "percent": 10, "recent_days": 7, "baseline_days": 28},
}


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _fill(repo: Repository) -> dict[str, Any]:
    """A week of research in project ``shop``: a signal, its question, a decided
    hypothesis, four interviews and their themes."""
    repo.upgrade()
    Projects(repo).create("shop")
    monitors = MonitorStore(repo)
    monitor = monitors.create("shop", "activation", DEFINITION, created_by="t")
    question, _ = ResearchStore(repo).open_or_update(
        "shop", anomaly_key="monitor:1:down", text="We see activation down 20%.",
        evidence={}, monitor_id=monitor.id,
    )  # fmt: skip
    monitors.add_signal(
        monitor, reason="activation went down 20%", direction="down", since=None,
        evidence={}, question_id=question.id,
    )  # fmt: skip
    hypotheses = HypothesisStore(repo)
    h = hypotheses.add("shop", question.id, "Admins must approve integrations", actor="t")
    hypotheses.set_status("shop", h.id, "supported", actor="t", reason="6 of 8 said so")
    interviews = demo_interviews(4, seed=3)
    InterviewStore(repo).save_many("shop", interviews)
    synthesis = synthesize(notes_from_interviews(interviews))
    ThemeBook(repo, "shop", "main").save_run(synthesis)
    return {"question": question, "interviews": interviews, "synthesis": synthesis}


def test_the_digest_says_what_happened_this_week(repository: Repository) -> None:  # noqa: F811
    made = _fill(repository)
    now = datetime.now(UTC)
    d = build_digest(repository, "shop", Week.of(now.date()))
    out = d.to_dict()
    assert [a["monitor"] for a in out["anomalies"]] == ["activation"]
    (q,) = out["open_questions"]
    assert q["id"] == made["question"].id and 0 <= q["age_days"] < 1 and q["signals"] == 1
    assert sorted(out["interviews"]["ids"]) == sorted(i.id for i in made["interviews"])
    themes = {t.id for t in made["synthesis"].themes}
    assert {t["theme"] for t in out["new_themes"]} == themes and themes
    (decision,) = out["decisions"]["hypotheses"]
    assert (decision["from"], decision["to"]) == ("open", "supported")
    md, html = digest_markdown(d), digest_html(d)
    assert "## Metric anomalies" in md and "activation went down 20%" in md
    assert "Hypothesis #1 open → supported" in md
    assert "<h2>New themes</h2>" in html and "<script" not in html
    # the week before holds nothing; a later week still lists the open question, older
    before = build_digest(repository, "shop", Week.of(now.date()).previous())
    assert not before.signals and not before.interviews and not before.open_questions
    then = now + timedelta(days=14)
    later = build_digest(repository, "shop", Week.of(then.date()), now=then)
    assert not later.signals and later.open_questions[0].age_days > 7


def test_a_bad_week_is_refused_precisely() -> None:
    with pytest.raises(ValueError, match="YYYY-Www"):
        Week.parse("2026-10")
    with pytest.raises(ValueError, match="no ISO week 54"):
        Week.parse("2026-W54")
    assert str(Week.parse("2026-W09")) == "2026-W09"
    assert Week.parse("2026-W09").start.isoformat() == "2026-02-23T00:00:00+00:00"


def test_the_digest_is_emailed_once_per_week(repository: Repository) -> None:  # noqa: F811
    _fill(repository)
    Projects(repository).create("quiet")  # nothing happened there: no email
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = DigestMailer("127.0.0.1", port, "fieldnote@example.com", ("team@example.com",))
        next_week = Week.of(datetime.now(UTC).date()).end + timedelta(hours=1)
        first = {o.project: o.status for o in send_due_digests(repository, mailer, now=next_week)}
        again = {o.project: o.status for o in send_due_digests(repository, mailer, now=next_week)}
    finally:
        controller.stop()
    assert first["shop"] == "sent" and again["shop"] == "already sent"
    assert first["quiet"] == again["quiet"] == "empty"
    (message,) = inbox.messages
    assert "shop: weekly digest" in message["Subject"] and message["To"] == "team@example.com"
    parts = {p.get_content_type(): p.get_payload(decode=True) for p in message.walk()}
    assert b"## Open questions" in parts["text/plain"]
    assert b"<h2>Open questions</h2>" in parts["text/html"]


def test_a_failed_send_is_retried_next_time(repository: Repository) -> None:  # noqa: F811
    _fill(repository)
    port = free_port()  # nothing listens here
    mailer = DigestMailer("127.0.0.1", port, "f@example.com", ("t@example.com",), attempts=1)
    next_week = Week.of(datetime.now(UTC).date()).end + timedelta(hours=1)
    (failed,) = [o for o in send_due_digests(repository, mailer, now=next_week)]
    assert failed.status == "failed" and failed.delivery and not failed.delivery["ok"]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (sent,) = send_due_digests(repository, mailer, now=next_week)
    finally:
        controller.stop()
    assert sent.status == "sent" and len(inbox.messages) == 1


def test_the_scheduler_sends_last_weeks_digest_with_the_servers_settings(
    repository: Repository,  # noqa: F811
    tmp_path: Path,
) -> None:
    """What ``fieldnote serve`` runs on each tick: settings → mailer, the events for
    release verdicts from the server's store, last week's digest once."""
    _fill(repository)
    week = Week.of(datetime.now(UTC).date())
    ReleaseStore(repository).create(
        "shop", "5.1", released_at=week.start - timedelta(days=13), description="",
        metric="activation", options={}, dimensions=("channel",), window="14d", created_by="t",
    )  # fmt: skip
    store = DuckDBEventStore(tmp_path / "events.duckdb")

    @contextmanager
    def source_for(project: str) -> Iterator[EventSource]:
        with store.reader() as cur:
            yield store_source(cur, project)

    inbox = _Inbox()
    port = free_port()
    settings = Settings(
        home=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        notify_email_from="fieldnote@example.com",
        notify_email_to="team@example.com, lead@example.com",
    )
    assert scheduled_digests(repository, Settings(home=tmp_path), source_for) == []  # no SMTP
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        next_week = Week.of(datetime.now(UTC).date()).end + timedelta(hours=1)
        first = scheduled_digests(repository, settings, source_for, now=next_week)
        again = scheduled_digests(repository, settings, source_for, now=next_week)
    finally:
        controller.stop()
        store.close()
    assert [o.status for o in first] == ["sent"] and [o.status for o in again] == ["already sent"]
    (message,) = inbox.messages
    assert message["To"] == "team@example.com, lead@example.com"
    # the release's after-window ended that week: its verdict was computed on the
    # server's (empty) store, and the digest says why there is none
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert b"> release 5.1:" in text.get_payload(decode=True)
