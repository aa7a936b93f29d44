"""Monitors, signals, questions and studies in the repository, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fieldnote.repository import (
    MonitorError,
    MonitorStore,
    Projects,
    Repository,
    ResearchError,
    ResearchStore,
)


@pytest.fixture
def stores(repository: Repository) -> tuple[MonitorStore, ResearchStore]:
    repository.upgrade()
    Projects(repository).create("acme")
    return MonitorStore(repository), ResearchStore(repository)


def test_monitor_round_trip_and_unique_names(stores: tuple[MonitorStore, ResearchStore]) -> None:
    monitors, _ = stores
    definition = {"metric": {"kind": "activation"}, "rule": {"rule": "swing", "percent": 10}}
    made = monitors.create("acme", "activation swing", definition, created_by="a@b.c")
    assert monitors.get("acme", "activation swing").definition == definition
    assert [m.name for m in monitors.list("acme")] == ["activation swing"]
    with pytest.raises(MonitorError, match="already has a monitor"):
        monitors.create("acme", "activation swing", definition, created_by=None)
    with pytest.raises(MonitorError, match="no project"):
        monitors.create("nope", "x", definition, created_by=None)
    monitors.record_run(made.id, {"fired": False})
    assert monitors.get("acme", "activation swing").last_result == {"fired": False}


def test_one_open_question_per_anomaly_and_time_to_diagnosis(
    stores: tuple[MonitorStore, ResearchStore],
) -> None:
    monitors, research = stores
    mon = monitors.create("acme", "m", {"metric": {}}, created_by=None)
    q1, new1 = research.open_or_update(
        "acme", anomaly_key="m:down", text="We see A", evidence={"n": 1}, monitor_id=mon.id
    )
    q2, new2 = research.open_or_update(
        "acme", anomaly_key="m:down", text="We see B", evidence={"n": 2}, monitor_id=mon.id
    )
    assert new1 and not new2 and q1.id == q2.id
    assert q2.text == "We see B" and q2.signal_count == 2 and q2.evidence == {"n": 2}
    other, new3 = research.open_or_update(
        "acme", anomaly_key="m:up", text="We see C", evidence={}, monitor_id=mon.id
    )
    assert new3 and other.id != q1.id
    sig = monitors.add_signal(
        mon,
        reason="r.",
        direction="down",
        since=date(2026, 3, 1),
        evidence={"x": 1},
        question_id=q1.id,
    )
    assert monitors.signal("acme", sig.id).since == date(2026, 3, 1)
    study = research.propose_study(
        "acme", q1.id, plan={"segments": ["s"]}, quota=(5, 8), deadline=timedelta(hours=48)
    )
    again = research.propose_study(
        "acme", q1.id, plan={"segments": ["t"]}, quota=(5, 8), deadline=timedelta(hours=48)
    )
    assert again.id == study.id
    assert timedelta(hours=47) < study.deadline_at - study.created_at <= timedelta(hours=48)
    started = research.start_study("acme", study.id)
    assert started.status == "started" and started.started_at is not None
    done = research.mark_diagnosed("acme", q1.id)
    assert done.status == "diagnosed" and done.time_to_diagnosis is not None
    # a diagnosed question is no longer the open one: the next firing opens a new one
    q4, new4 = research.open_or_update(
        "acme", anomaly_key="m:down", text="We see D", evidence={}, monitor_id=mon.id
    )
    assert new4 and q4.id != q1.id
    assert [q.id for q in research.list("acme", status="open")] == [q4.id, other.id]
    with pytest.raises(ResearchError, match="quota"):
        research.propose_study("acme", q4.id, plan={}, quota=(0, 8), deadline=timedelta(1))
    with pytest.raises(ResearchError, match="no question"):
        research.get("acme", 9999)
