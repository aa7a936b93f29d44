"""Segment members are exactly the persons whose furthest funnel step qualifies."""

from __future__ import annotations

import hashlib
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DuckDBSource, EventTables
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments import SegmentDefinition, members
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import Ev, reference_levels
from tests.analytics.test_funnels import PERSON_OF, events_st, funnels_st


def person_id(actor: str) -> str:
    """The id the store gives a distinct id without a person mapping."""
    if actor in PERSON_OF.values():
        return actor
    return str(uuid.UUID(hex=hashlib.md5(f"p\0{actor}".encode()).hexdigest()))


@settings(max_examples=100, deadline=None)
@given(
    events=events_st,
    funnel=funnels_st,
    step=st.integers(1, 4),
    dropped=st.booleans(),
)
def test_members_equal_the_reference_levels(
    events: list[Ev], funnel: Funnel, step: int, dropped: bool
) -> None:
    n = len(funnel.steps)
    step = min(step, n - 1 if dropped else n)
    definition = SegmentDefinition(
        funnel=Funnel(
            steps=funnel.steps, window=funnel.window, order=funnel.order, dates=funnel.dates
        ),
        step=step,
        dropped=dropped,
    )
    source = DuckDBSource(store_like_duckdb(events, PERSON_OF), EventTables(project="p"))
    found = members(source, definition, limit=1000)
    levels = reference_levels(definition.funnel, events, PERSON_OF)
    want = {
        person_id(actor): level
        for actor, level in levels.items()
        if (level == step if dropped else level >= step)
    }
    assert found.size == len(want)
    assert {m.person_id: m.furthest_step for m in found.members} == want
    unmapped = {person_id(actor): actor for actor in levels if actor not in PERSON_OF.values()}
    for m in found.members:
        mapped = sorted(d for d, p in PERSON_OF.items() if p == m.person_id)
        assert list(m.distinct_ids) == (mapped or [unmapped[m.person_id]])
    assert members(source, definition, limit=1).size == len(want)
