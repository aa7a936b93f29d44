"""The Spark funnel engine gives the DuckDB engine's answers on the same events."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from fieldnote.analytics import DuckDBSource, EventTables, SparkSource
from fieldnote.analytics.funnels import FUNNEL_ENGINES, Breakdown, Funnel, FunnelOrder, FunnelStep
from tests.analytics._data import T0_US, spark_views, store_like_duckdb
from tests.analytics.reference import US, Ev, reference_funnel
from tests.analytics.test_funnels import PERSON_OF, PLANS, _range, assert_same, engine_groups

pytestmark = pytest.mark.spark

NAMES = ["signup", "onboarding started", "connect, integration", "activated"]


def _events(seed: int) -> list[Ev]:
    rng = random.Random(seed)
    out = []
    for _ in range(250):
        props: dict[str, Any] = {}
        if rng.random() < 0.8:
            props["platform"] = rng.choice(["ios", "android", "web"])
        if rng.random() < 0.5:
            props["n"] = rng.choice([1, 2, 3, 2.5, "2"])
        out.append(
            Ev(f"d{rng.randrange(12)}", rng.choice(NAMES), T0_US + rng.randrange(200) * US, props)
        )
    return out


FUNNELS = [
    Funnel(steps=tuple(FunnelStep.parse(s) for s in NAMES), window=timedelta(seconds=40)),
    Funnel(
        steps=(
            FunnelStep.parse("signup where platform!=web"),
            FunnelStep.parse("connect, integration where n>=2"),
            FunnelStep.parse("activated"),
        ),
        window=timedelta(seconds=60),
        breakdown=Breakdown.parse("platform"),
        dates=_range((20, 150)),
    ),
    Funnel(
        steps=tuple(FunnelStep.parse(s) for s in ["signup", "signup", "activated", "signup"]),
        window=timedelta(seconds=80),
        breakdown=Breakdown.parse("person.plan"),
    ),
    Funnel(
        steps=tuple(FunnelStep.parse(s) for s in NAMES[:3]),
        window=timedelta(seconds=100),
        order=FunnelOrder.STRICT,
        breakdown=Breakdown.parse("platform"),
    ),
    Funnel(
        steps=tuple(FunnelStep.parse(s) for s in NAMES[:2]),
        window=timedelta(seconds=30),
        breakdown=Breakdown.parse("time.day"),
    ),
]


def test_spark_funnels_equal_duckdb_and_the_reference(spark: Any) -> None:
    events = _events(seed=1)
    con = store_like_duckdb(events, PERSON_OF, PLANS)
    spark_views(spark, events, PERSON_OF, PLANS)
    tables = EventTables(project="p")
    for funnel in FUNNELS:
        n = len(funnel.steps)
        on_spark = engine_groups(
            FUNNEL_ENGINES["spark"].aggregate(SparkSource(spark, tables), funnel), n
        )
        on_duckdb = engine_groups(
            FUNNEL_ENGINES["duckdb"].aggregate(DuckDBSource(con, tables), funnel), n
        )
        want = reference_funnel(funnel, events, person_of=PERSON_OF, person_props=PLANS)
        assert_same(on_duckdb, want)
        assert_same(on_spark, want)
        assert on_spark[(True, None)].counts[1] > 0  # the data really converts
