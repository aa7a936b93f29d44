"""The research funnel's counting rule, against a plain reference (hypothesis), and the
widget's ``survey shown`` events read from a real DuckDB event store as evidence."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.events import ARROW_SCHEMA
from fieldnote.research._research_funnel import (
    FUNNEL_STEPS,
    InvitationFacts,
    research_funnel,
)
from fieldnote.research.delivery import shown_invitations

STATUSES = ("invited", "seen", "accepted", "consented", "completed", "declined", "dismissed",
            "withdrawn")  # fmt: skip


def reference(facts: list[InvitationFacts], shown: set[int]) -> list[int]:
    """How many invitations reached each step, written step by step."""
    done = {f.id for f in facts if f.completed or f.status == "completed"}
    consented = done | {f.id for f in facts if f.consented or f.status == "consented"}
    accepted = consented | {f.id for f in facts if f.status == "accepted"}
    seen = accepted | {
        f.id
        for f in facts
        if f.opened or f.id in shown or f.status in ("seen", "declined", "dismissed")
    }
    return [len(facts), len(seen), len(accepted), len(consented), len(done)]


FACTS = st.lists(
    st.builds(
        InvitationFacts,
        id=st.integers(0, 10_000),
        channel=st.sampled_from(("intercept", "email", "link")),
        status=st.sampled_from(STATUSES),
        opened=st.booleans(),
        consented=st.booleans(),
        completed=st.booleans(),
    ),
    max_size=60,
    unique_by=lambda f: f.id,
)


@given(FACTS, st.sets(st.integers(0, 10_000), max_size=30))
def test_counts_match_the_reference(facts: list[InvitationFacts], shown: set[int]) -> None:
    got = research_funnel(7, facts, shown=shown)
    assert [s.count for s in got.total.steps] == reference(facts, shown)
    assert [s.event for s in got.total.steps] == list(FUNNEL_STEPS)
    for channel, result in got.channels.items():
        mine = [f for f in facts if f.channel == channel]
        assert [s.count for s in result.steps] == reference(mine, shown)
    assert sum(r.steps[0].count for r in got.channels.values()) == len(facts)
    if facts:
        assert got.completion_rate == reference(facts, shown)[4] / len(facts)
        ci = got.completion_ci
        assert ci is not None and ci.low <= got.completion_rate <= ci.high
    assert got.small_sample == (len(facts) < 30)


def test_widget_events_count_as_seen(tmp_path: Path) -> None:
    """``survey shown`` with this study's ``$survey_id`` marks its invitations seen,
    whatever the invitation's stored status says (the widget's report may be lost)."""
    fn = Fieldnote(Settings(home=tmp_path / "home"))
    store = fn.open_event_store()
    now = datetime.now(UTC)
    rows = [
        ("u1", "survey shown", {"$survey_id": "study-3", "$invitation_id": 11}),
        ("u2", "survey shown", {"$survey_id": "study-3", "$invitation_id": 12}),
        ("u2", "survey shown", {"$survey_id": "study-3", "$invitation_id": 12}),
        ("u3", "survey shown", {"$survey_id": "study-4", "$invitation_id": 13}),
        ("u4", "survey dismissed", {"$survey_id": "study-3", "$invitation_id": 14}),
        ("u5", "survey shown", {"$survey_id": "rule-3", "$invitation_id": 15}),
    ]
    batch = pa.table(
        {
            "uuid": [str(uuid.uuid4()) for _ in rows],
            "project": ["default"] * len(rows),
            "distinct_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "timestamp": [now] * len(rows),
            "properties": [json.dumps(r[2]) for r in rows],
        },
        schema=ARROW_SCHEMA,
    )
    try:
        store.commit(batch)
        shown = shown_invitations(store.connection, "default", 3)
        assert shown == {11, 12}
        assert shown_invitations(store.connection, "other", 3) == set()
    finally:
        store.close()
        fn.close()
    facts = [
        InvitationFacts(id=11, channel="intercept", status="invited"),
        InvitationFacts(id=12, channel="intercept", status="invited"),
        InvitationFacts(id=14, channel="intercept", status="invited"),
    ]
    got = research_funnel(3, facts, shown=shown)
    assert [s.count for s in got.total.steps] == [3, 2, 0, 0, 0]
    assert got.shown_events == 2
