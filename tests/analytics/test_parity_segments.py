"""Segment members (and sizes) are the same persons on Spark as on DuckDB."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments import SegmentDefinition, members
from tests.analytics._parity_data import PERSON_OF, Parity

pytestmark = pytest.mark.spark

STEPS = ["signup", "$pageview where path=/pricing", "purchase"]


def _definition(
    step: int, *, dropped: bool, strict: bool = False, **dates: str
) -> SegmentDefinition:
    funnel = Funnel.parse(STEPS, window="10d", strict=strict, **dates)
    return SegmentDefinition(funnel=funnel, step=step, dropped=dropped)


CASES = [
    _definition(1, dropped=True, date_from="2026-01-05", date_to="2026-01-25"),
    _definition(2, dropped=False, strict=True),
    SegmentDefinition(
        funnel=Funnel.parse(["signup", "activated"], window="1d"),
        step=2,
        dropped=False,
        last=timedelta(days=60),
    ),
]


@pytest.mark.parametrize("definition", CASES, ids=["dropped", "strict-reached", "last-60d"])
def test_members_on_spark_equal_duckdb(parity: Parity, definition: SegmentDefinition) -> None:
    on_duckdb, on_spark = (members(s, definition, limit=8).to_dict() for s in parity.sources())
    assert on_spark == on_duckdb
    assert len(on_duckdb["members"]) == min(on_duckdb["size"], 8) > 0
    merged = [m for m in on_duckdb["members"] if len(m["distinct_ids"]) == 2]
    unmapped = [m for m in on_duckdb["members"] if m["person_id"] not in PERSON_OF.values()]
    assert merged or unmapped


def test_sizes_and_empty_segments_agree(parity: Parity) -> None:
    everyone = _definition(1, dropped=False)
    nobody = SegmentDefinition(funnel=Funnel.parse(["never_happens", "signup"]), step=1)
    for definition, limit in [(everyone, 0), (nobody, 10)]:
        on_duckdb, on_spark = (
            members(s, definition, limit=limit).to_dict() for s in parity.sources()
        )
        assert on_spark == on_duckdb
        assert on_duckdb["members"] == []
    assert members(parity.duckdb, everyone, limit=0).size > 0
