"""The participant panel on SQLite and PostgreSQL: CSV import (validated, all-or-nothing,
idempotent), personas, recruitment with screeners/quotas/fatigue, incentives."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from fieldnote.events import DuckDBEventStore
from fieldnote.repository import Projects, Repository, ResearchStore
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._incentives import IncentiveStore
from fieldnote.repository._invitations import InvitationStore
from fieldnote.repository._panel import PanelError, ParticipantStore
from fieldnote.repository._panel_view import (
    identified_persons,
    panel,
    persona_members,
    recruit_study,
)
from fieldnote.repository._personas import PersonaStore
from fieldnote.research import (
    ConsentText,
    Criteria,
    IncentiveError,
    PanelImportError,
    Screener,
    parse_did,
    parse_panel_csv,
    parse_where,
)
from tests.repository.conftest import repository

__all__ = ["repository"]

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)

CSV = """email,name,company,role,company_size,distinct_id,Plan tier
ana@acme.example,Ana Lima,Acme,Product Manager,120,u-ana,enterprise
ben@beta.example,Ben Ode,Beta,Engineer,15,u-ben,team
cy@gamma.example,Cy Park,Gamma,Product Manager,800,u-cy,enterprise
dee@delta.example,Dee Ray,Delta,Finance,40,,team
eve@eps.example,Eve Sol,Eps,Product Manager,60,u-eve,team
"""


@pytest.fixture
def repo(repository: Repository) -> Repository:
    repository.upgrade()
    Projects(repository).ensure_default()
    return repository


def events_store(tmp_path_factory: pytest.TempPathFactory) -> DuckDBEventStore:
    store = DuckDBEventStore(tmp_path_factory.mktemp("ev") / "events.duckdb")
    rows = []
    # ana: daily (10 of the last 14 days) and created reports; ben: occasional;
    # cy: dormant (60 days ago); eve: daily, no reports; dee: never (customer only).
    for d in range(10):
        rows.append(("u-ana", "report_created", TODAY - timedelta(days=d)))
    for d in range(8):
        rows.append(("u-eve", "$pageview", TODAY - timedelta(days=d)))
    rows.append(("u-ben", "report_created", TODAY - timedelta(days=3)))
    rows.append(("u-cy", "$pageview", TODAY - timedelta(days=60)))
    con = store.connection
    for i, (who, event, day) in enumerate(rows):
        con.execute(
            "INSERT INTO events (uuid, project, distinct_id, event, timestamp, properties) "
            "VALUES (uuid(), 'default', ?, ?, ?, '{}')",
            [who, event, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)],
        )
        del i
    return store


def test_import_validates_every_row_and_writes_nothing_on_error(repo: Repository) -> None:
    bad = (
        "Work Email,name,company_size,phone\n"
        "ok@x.example,Ok,10,+44 20 7946 0000\n"
        "not-an-email,Bad,12,\n"
        "ok@x.example,Dup,abc,call me\n"
    )
    with pytest.raises(PanelImportError) as err:
        parse_panel_csv(bad, {"Work Email": "email"})
    problems = [str(p) for p in err.value.problems]
    assert problems == [
        "line 3, column 'Work Email': 'not-an-email' is not an email address",
        "line 4, column 'company_size': 'abc' is not a whole number of employees",
        "line 4, column 'phone': 'call me' is not a phone number (digits, spaces, + ( ) . - /)",
    ]
    with pytest.raises(PanelImportError, match="no email column"):
        parse_panel_csv("name\nAna\n")
    with pytest.raises(PanelImportError, match=r"line 3, column 'email': a@b.example is also on"):
        parse_panel_csv("email\na@b.example\nA@b.example\n")
    with pytest.raises(PanelImportError, match=r"line 3, column 'distinct_id': u-1 is also on"):
        parse_panel_csv("email,distinct_id\na@b.example,u-1\nc@d.example,u-1\n")
    assert ParticipantStore(repo).list("default") == []


def test_import_is_idempotent_and_upserts_by_email(repo: Repository) -> None:
    store = ParticipantStore(repo)
    first = store.import_rows("default", parse_panel_csv(CSV))
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    again = store.import_rows("default", parse_panel_csv(CSV))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    changed = CSV.replace("Engineer,15", "Engineer,25")
    third = store.import_rows("default", parse_panel_csv(changed))
    assert (third.created, third.updated) == (0, 1)
    ben = store.get("default", "ben@beta.example")
    assert ben.company_size == 25 and ben.custom == {"Plan tier": "team"}
    assert len(store.list("default")) == 5
    # a row naming another participant's distinct_id is refused, and nothing lands
    clash = "email,distinct_id\nnew@x.example,u-new\nzed@z.example,u-ana\n"
    with pytest.raises(PanelImportError, match="line 3"):
        store.import_rows("default", parse_panel_csv(clash))
    assert len(store.list("default")) == 5


def test_tiers_kinds_and_identified_persons(
    repo: Repository, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = ParticipantStore(repo)
    store.import_rows("default", parse_panel_csv(CSV))
    ev = events_store(tmp_path_factory)
    ev.connection.execute(
        "INSERT INTO persons VALUES ('default', uuid(), '{\"email\": \"Zoe@Z.example\"}', now())"
    )
    with ev.reader() as cur:
        views = {v.participant.email: v for v in panel(repo, "default", cur, TODAY)}
    assert {e: (v.tier, v.kind) for e, v in views.items()} == {
        "ana@acme.example": ("daily", "both"),
        "ben@beta.example": ("occasional", "both"),
        "cy@gamma.example": ("dormant", "both"),
        "dee@delta.example": ("potential", "customer"),
        "eve@eps.example": ("daily", "both"),
    }
    with ev.reader() as cur:
        assert identified_persons(cur, "default") == []  # Zoe has no events yet


def _study(repo: Repository) -> int:
    research = ResearchStore(repo)
    q, _ = research.open_or_update("default", anomaly_key="k", text="Why do PMs stop?", evidence={})
    return research.propose_study(
        "default",
        q.id,
        plan={"goal": "g", "segments": []},
        quota=(2, 3),
        deadline=timedelta(hours=48),
    ).id


def test_personas_and_recruitment_explain_every_choice(
    repo: Repository, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ParticipantStore(repo).import_rows("default", parse_panel_csv(CSV))
    personas = PersonaStore(repo)
    personas.create(
        "default",
        "reporting-pm",
        Criteria((parse_where("role in Product Manager"),), (parse_did("report_created>=3/30d"),)),
    )
    personas.create("default", "big-co", Criteria((parse_where("company_size>=100"),)))
    ev = events_store(tmp_path_factory)
    with ev.reader() as cur:
        members, misses = persona_members(repo, "default", "reporting-pm", cur, TODAY)
    assert [m.participant.email for m in members] == ["ana@acme.example"]
    eve = ParticipantStore(repo).get("default", "eve@eps.example")
    assert misses[eve.id] == ["did report_created ≥ 3 times in 30 d (did it 0)"]

    study = _study(repo)
    screener = Screener.from_dict(
        {
            "where": [{"field": "role", "op": "ne", "value": "Finance"}],
            "quotas": [{"by": "tier", "cells": {"daily": 1, "occasional": 1, "dormant": 1}}],
            "target": 3,
        }
    )
    personas.set_screener("default", study, screener)
    # cy was interviewed last month: the fatigue policy excludes them
    inv = InvitationStore(repo)
    _, made = inv.queue("default", "u-cy", offer={}, now=NOW - timedelta(days=40))
    assert made is not None
    inv.act("default", made.id, "u-cy", "accept")
    ConsentStore(repo).publish("default", ConsentText("r", "d", "c"))
    text_id = ConsentStore(repo).current("default")
    assert text_id is not None
    inv.consent("default", made.id, "u-cy", text_id=text_id.id, parts={"data_use": True})
    inv.act("default", made.id, "u-cy", "complete")
    with ev.reader() as cur:
        result = recruit_study(repo, "default", study, cur, now=NOW).to_dict()
    by_email = {c["email"]: c for c in result["candidates"]}
    assert by_email["dee@delta.example"]["outcome"] == "excluded"
    assert by_email["dee@delta.example"]["reasons"] == [
        "screener: role ne 'Finance' (is 'Finance')"
    ]
    assert by_email["cy@gamma.example"]["reasons"] == ["interviewed: interviewed recently"]
    chosen = [c["email"] for c in result["candidates"] if c["outcome"] == "chosen"]
    assert chosen == ["ana@acme.example", "ben@beta.example"]  # ana outranks eve (activity)
    assert by_email["eve@eps.example"]["reasons"][1] == "quota cell tier=daily is full (1/1)"
    assert by_email["ana@acme.example"]["score_parts"]["activity"] == round(2 * 10 / 14, 3)
    fill = {(f["by"], f["value"]): (f["filled"], f["wanted"]) for f in result["quota_fill"]}
    assert fill == {
        ("tier", "daily"): (1, 1),
        ("tier", "occasional"): (1, 1),
        ("tier", "dormant"): (0, 1),
    }
    assert "quota cell tier=dormant: 0 of 1 (too few eligible)" in result["warnings"]


def test_incentives_validated_and_transitions(repo: Repository) -> None:
    ParticipantStore(repo).import_rows("default", parse_panel_csv(CSV))
    study = _study(repo)
    store = IncentiveStore(repo)
    made = store.set("default", "ana@acme.example", study, "25.50", "eur")
    assert (made.amount, made.currency, made.status, made.amount_minor) == (
        "25.50",
        "EUR",
        "promised",
        2550,
    )
    for amount, currency, why in [
        ("-5", "EUR", "must be positive"),
        ("0", "EUR", "must be positive"),
        ("10.005", "EUR", "EUR has 2 decimal"),
        ("100.5", "JPY", "JPY has 0 decimal"),
        ("10", "EURO", "not an active ISO 4217 code"),
        ("ten", "USD", "is not a number"),
    ]:
        with pytest.raises(IncentiveError, match=why):
            store.set("default", "ana@acme.example", study, amount, currency)
    assert store.set("default", "ana@acme.example", study, "30", "EUR").amount == "30.00"
    paid = store.act("default", made.id, "pay")
    assert paid.status == "paid"
    with pytest.raises(IncentiveError, match="cannot cancel an incentive that is paid"):
        store.act("default", made.id, "cancel")
    with pytest.raises(IncentiveError, match="already paid"):
        store.set("default", "ana@acme.example", study, "40", "EUR")
    with pytest.raises(PanelError, match="no study 999"):
        store.set("default", "ana@acme.example", 999, "40", "EUR")
    assert [i.status for i in store.list("default", study_id=study)] == ["paid"]


def test_identified_persons_join_the_panel_and_link_to_contacts(
    repo: Repository, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from fieldnote.events import events_to_arrow
    from fieldnote.events._model import Event

    store = ParticipantStore(repo)
    store.import_rows("default", parse_panel_csv("email,name\nzoe@z.example,Zoe Z\n"))
    ev = DuckDBEventStore(tmp_path_factory.mktemp("ev") / "events.duckdb")
    ts = datetime(2026, 11, 29, 9, tzinfo=UTC)
    ev.commit(
        events_to_arrow(
            [
                Event(
                    uuid=f"00000000-0000-4000-8000-0000000000a{i}",
                    project="default",
                    distinct_id=who,
                    event="$identify",
                    timestamp=ts,
                    properties_json=json.dumps({"$set": {"email": mail}}),
                )
                for i, (who, mail) in enumerate(
                    [("u-zoe", "Zoe@Z.example"), ("u-yan", "yan@y.example")]
                )
            ]
        )
    )
    with ev.reader() as cur:
        found = identified_persons(cur, "default")
        assert [(p.distinct_id, p.email) for p in found] == [
            ("u-yan", "yan@y.example"),
            ("u-zoe", "zoe@z.example"),
        ]
        done = store.sync_persons("default", found)
        assert (done.created, done.updated) == (1, 1)
        assert store.sync_persons("default", found).unchanged == 2  # idempotent
        kinds = {v.participant.email: v.kind for v in panel(repo, "default", cur, TODAY)}
    assert kinds == {"zoe@z.example": "both", "yan@y.example": "user"}
    assert store.get("default", "zoe@z.example").distinct_id == "u-zoe"


def test_a_study_recruits_from_its_target_segment(
    repo: Repository, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from fieldnote.research import plan_study

    ParticipantStore(repo).import_rows("default", parse_panel_csv(CSV))
    plan = plan_study(
        1,
        "Why no report?",
        steps=["$pageview", "report_created"],
        dropped_at=1,
        dimension=None,
        values=[],
        last_days=3650,
    )
    research = ResearchStore(repo)
    q, _ = research.open_or_update("default", anomaly_key="seg", text="Why?", evidence={})
    study = research.propose_study(
        "default", q.id, plan=plan.to_dict(), quota=(1, 3), deadline=timedelta(hours=48)
    ).id
    ev = events_store(tmp_path_factory)
    with ev.reader() as cur:
        result = recruit_study(repo, "default", study, cur, now=NOW).to_dict()
    assert result["segment_applied"] is True
    outcome = {c["email"]: (c["outcome"], c["reasons"]) for c in result["candidates"]}
    # viewed a page and never created a report: eve (recently) and cy (60 days ago)
    assert outcome["eve@eps.example"][0] == "chosen"
    assert outcome["cy@gamma.example"][0] == "chosen"
    assert outcome["ana@acme.example"] == (
        "excluded",
        ["segment: not in the study's target segment now"],
    )
    assert outcome["dee@delta.example"][0] == "excluded"  # no events: in no segment
    PersonaStore(repo).set_screener("default", study, Screener(from_segment=False))
    with ev.reader() as cur:
        whole = recruit_study(repo, "default", study, cur, now=NOW).to_dict()
    assert whole["segment_applied"] is False and whole["chosen"] == 3
