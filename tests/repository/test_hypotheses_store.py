"""Hypotheses on questions, evidence links and audited status moves, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from fieldnote.repository import (
    HypothesisError,
    HypothesisStore,
    Projects,
    Repository,
    ResearchStore,
)


@pytest.fixture
def setup(repository: Repository) -> tuple[HypothesisStore, int, int]:
    repository.upgrade()
    Projects(repository).create("acme")
    Projects(repository).create("other")
    research = ResearchStore(repository)
    q, _ = research.open_or_update("acme", anomaly_key=None, text="Why?", evidence={})
    q2, _ = research.open_or_update("other", anomaly_key=None, text="Else?", evidence={})
    return HypothesisStore(repository), q.id, q2.id


def test_add_link_and_status_history(setup: tuple[HypothesisStore, int, int]) -> None:
    store, qid, _ = setup
    h = store.add("acme", qid, "  Admins cannot connect on mobile ", actor="a@b.c")
    assert h.text == "Admins cannot connect on mobile" and h.status == "open"
    assert [(c.from_status, c.to_status) for c in h.history] == [(None, "open")]
    h = store.link("acme", h.id, kind="theme", ref="admin-access", excerpt="q", actor="a@b.c")
    h = store.link(
        "acme", h.id, kind="decomposition", ref="conv:2026-03", stance="context", actor=None
    )
    assert [(e.kind, e.ref, e.stance) for e in h.evidence] == [
        ("theme", "admin-access", "supports"),
        ("decomposition", "conv:2026-03", "context"),
    ]
    h = store.set_status("acme", h.id, "supported", actor="a@b.c", reason="theme + metric")
    again = store.set_status("acme", h.id, "supported", actor="x", reason="retry")
    assert again.history == h.history  # a no-op move is not recorded twice
    h = store.set_status("acme", h.id, "refuted", actor="lead", reason="release showed none")
    moves = [(c.from_status, c.to_status, c.actor, c.reason) for c in h.history]
    assert moves == [
        (None, "open", "a@b.c", ""),
        ("open", "supported", "a@b.c", "theme + metric"),
        ("supported", "refuted", "lead", "release showed none"),
    ]
    times = [c.at for c in h.history]
    assert times == sorted(times) and h.updated_at >= times[-1]
    assert store.get("acme", h.id) == h


def test_list_filters_and_project_isolation(setup: tuple[HypothesisStore, int, int]) -> None:
    store, qid, other_qid = setup
    a = store.add("acme", qid, "A", actor=None)
    b = store.add("acme", qid, "B", actor=None)
    store.add("other", other_qid, "C", actor=None)
    store.set_status("acme", b.id, "inconclusive", actor=None)
    assert [h.text for h in store.list("acme")] == ["A", "B"]
    assert [h.id for h in store.list("acme", status="open")] == [a.id]
    assert [h.id for h in store.list("acme", question_id=qid, status="inconclusive")] == [b.id]
    with pytest.raises(HypothesisError, match="no question"):
        store.list("acme", question_id=other_qid)
    with pytest.raises(HypothesisError, match="no hypothesis"):
        store.get("other", a.id)
    with pytest.raises(HypothesisError, match="no question"):
        store.add("acme", other_qid, "x", actor=None)


def test_bad_input_is_refused_without_writes(setup: tuple[HypothesisStore, int, int]) -> None:
    store, qid, _ = setup
    h = store.add("acme", qid, "A", actor=None)
    with pytest.raises(HypothesisError, match="1 to 2000"):
        store.add("acme", qid, "   ", actor=None)
    with pytest.raises(HypothesisError, match="status 'maybe' is not one of"):
        store.set_status("acme", h.id, "maybe", actor=None)
    with pytest.raises(HypothesisError, match="evidence kind 'rumour'"):
        store.link("acme", h.id, kind="rumour", ref="x", actor=None)
    with pytest.raises(HypothesisError, match="stance"):
        store.link("acme", h.id, kind="note", ref="x", stance="meh", actor=None)
    store.link("acme", h.id, kind="note", ref="n1", actor=None)
    with pytest.raises(HypothesisError, match="already links note 'n1'"):
        store.link("acme", h.id, kind="note", ref="n1", actor=None)
    with pytest.raises(HypothesisError, match="no project"):
        store.add("nope", qid, "x", actor=None)
    final = store.get("acme", h.id)
    assert len(final.evidence) == 1 and final.status == "open" and len(final.history) == 1
