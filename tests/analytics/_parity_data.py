"""One realistic product's events, loaded into DuckDB and into Spark, for the parity tests.

About 3,000 events from 200 distinct ids over six weeks (2026-01-01 .. 2026-02-10),
with the cases where two engines most easily disagree:

* day and ISO-week boundaries: events at exactly 00:00:00.000000 UTC on Mondays and at
  23:59:59.999999 on Sundays (and the session time zones of both engines can be moved
  away from UTC by the tests);
* ties: a user's signup and activation at the same microsecond, events repeated;
* nulls: properties missing, JSON null, non-numeric values summed, persons without a
  plan, distinct ids without a person (their ids derive from md5 on both engines);
* merged persons (an anonymous id and a login), and a second project whose events
  must never leak into the first.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import orjson

from fieldnote.analytics import DuckDBSource, EventTables, SparkSource
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import Ev

__all__ = ["PROJECT", "Parity", "load_parity"]

PROJECT = "p"
START = datetime(2026, 1, 1, tzinfo=UTC)
MONDAYS = [datetime(2026, 1, 5, tzinfo=UTC) + timedelta(weeks=w) for w in range(6)]
CHANNELS = ["ads", "organic", "referral", None]
PLATFORMS = ["ios", "android", "web"]
AMOUNTS: list[Any] = [1, 2.5, 0.25, 10, "12.5", "n/a", None]
"""Binary-exact numbers: a sum is then exact in any order, as two engines add."""
# d0..d119 have persons (d2k and d2k+1 merged for k < 30); d120.. have none
PERSON_OF = {f"d{i}": str(uuid.UUID(int=0xC000 + (i // 2 if i < 60 else i))) for i in range(120)}
_PLAN_CHOICES: list[dict[str, Any]] = [{"plan": "pro"}, {"plan": "free"}, {}, {"plan": None}]
PLANS: dict[str, dict[str, Any]] = {
    pid: _PLAN_CHOICES[int(pid[-2:], 16) % 4] for pid in sorted(set(PERSON_OF.values()))
}


def _us(when: datetime) -> int:
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def parity_events(seed: int = 7) -> list[Ev]:
    rng = random.Random(seed)
    out: list[Ev] = []
    for i in range(200):
        did = f"d{i}"
        signup = START + timedelta(seconds=rng.randrange(38 * 86400))
        if i % 10 == 0:  # on a week boundary, to the microsecond
            signup = rng.choice(MONDAYS) - timedelta(microseconds=rng.choice([0, 1]))
        props: dict[str, Any] = {"platform": rng.choice(PLATFORMS)}
        channel = rng.choice(CHANNELS)
        if channel is not None or rng.random() < 0.5:
            props["channel"] = channel  # sometimes JSON null, sometimes missing
        out.append(Ev(did, "signup", _us(signup), props))
        if rng.random() < 0.45:
            lag = timedelta(0) if i % 7 == 0 else timedelta(hours=rng.randrange(1, 12 * 24))
            out.append(Ev(did, "activated", _us(signup + lag), {"platform": props["platform"]}))
        visits = rng.randrange(0, 25)
        for _ in range(visits):
            when = signup + timedelta(seconds=rng.randrange(-2 * 86400, 40 * 86400))
            if rng.random() < 0.1:  # at midnight exactly
                when = when.replace(hour=0, minute=0, second=0, microsecond=0)
            page = {"platform": props["platform"], "path": rng.choice(["/", "/pricing", "/docs"])}
            out.append(Ev(did, "$pageview", _us(when), page))
            if rng.random() < 0.25:
                amount = rng.choice(AMOUNTS)
                bought = {} if rng.random() < 0.1 else {"amount": amount}
                out.append(Ev(did, "purchase", _us(when + timedelta(minutes=5)), bought))
            if rng.random() < 0.05:  # the same event twice at one instant
                out.append(Ev(did, "$pageview", _us(when), page))
    for i in range(0, 200, 9):  # another project: same ids, never counted in PROJECT
        out.append(Ev(f"d{i}", "signup", _us(START + timedelta(days=i % 30)), {}, project="q"))
        out.append(
            Ev(f"d{i}", "purchase", _us(START + timedelta(days=i % 30)), {"amount": 99}, "q")
        )
    return out


@dataclass(frozen=True)
class Parity:
    """The same events as a DuckDB source and as a Spark source."""

    duckdb: DuckDBSource
    spark: SparkSource
    events: list[Ev]

    def sources(self) -> tuple[DuckDBSource, SparkSource]:
        return self.duckdb, self.spark


def load_parity(spark: Any) -> Parity:
    events = parity_events()
    con: duckdb.DuckDBPyConnection = store_like_duckdb(events, PERSON_OF, PLANS)
    prefix = f"parity_{uuid.uuid4().hex[:8]}"
    _spark_views(spark, prefix, events)
    tables = EventTables(project=PROJECT)
    spark_tables = EventTables(
        events=f"{prefix}_events",
        person_distinct_ids=f"{prefix}_person_distinct_ids",
        persons=f"{prefix}_persons",
        project=PROJECT,
    )
    return Parity(DuckDBSource(con, tables), SparkSource(spark, spark_tables), events)


def _spark_views(spark: Any, prefix: str, events: list[Ev]) -> None:
    """The tables ``store_like_duckdb`` makes, as Spark temp views named ``prefix_*``
    (checkpointed: otherwise every query would ship the Python rows to Spark again)."""
    rows = [
        (
            str(uuid.UUID(int=i + 1)),
            e.project,
            e.distinct_id,
            e.event,
            datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=e.ts),
            orjson.dumps(e.props).decode(),
        )
        for i, e in enumerate(events)
    ]
    spark.createDataFrame(
        rows,
        "uuid string, project string, distinct_id string, event string, "
        "timestamp timestamp, properties string",
    ).localCheckpoint().createOrReplaceTempView(f"{prefix}_events")
    projects = sorted({e.project for e in events})
    ids = [(p, d, pid) for p in projects for d, pid in PERSON_OF.items()]
    spark.createDataFrame(
        ids, "project string, distinct_id string, person_id string"
    ).localCheckpoint().createOrReplaceTempView(f"{prefix}_person_distinct_ids")
    persons = [(p, pid, orjson.dumps(v).decode()) for p in projects for pid, v in PLANS.items()]
    spark.createDataFrame(
        persons, "project string, person_id string, properties string"
    ).localCheckpoint().createOrReplaceTempView(f"{prefix}_persons")
