"""The demo is a realistic product: funnel, identities, seasonality, growth, retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from fieldnote.demo import (
    FUNNEL_STEPS,
    DemoConfig,
    Scenario,
    demo_events,
    generate_demo,
    scenario_for,
)
from fieldnote.events import DuckDBEventStore
from tests.demo.conftest import SMALL

P = "'demo'"


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def value(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_a_seed_reproduces_every_event_uuid_and_property() -> None:
    config = replace(SMALL, users=800)
    first = pa.concat_tables(demo_events(config))
    again = pa.concat_tables(demo_events(config))
    other = pa.concat_tables(demo_events(replace(config, seed=config.seed + 1)))
    assert first.num_rows > 10_000
    assert first.equals(again)
    assert not first.column("uuid").equals(other.column("uuid"))
    assert len(set(first.column("uuid").to_pylist())) == first.num_rows


def test_the_scenario_is_stored_beside_the_events(scenario: Scenario) -> None:
    assert scenario == scenario_for(SMALL)
    assert Scenario.from_json(scenario.to_json()) == scenario
    assert scenario.funnel == FUNNEL_STEPS


def test_generating_twice_stores_the_same_demo_once(tmp_path: Path) -> None:
    config = replace(SMALL, users=300)
    store = DuckDBEventStore(tmp_path / "events.duckdb")
    try:
        first = generate_demo(store, config)
        second = generate_demo(store, config)  # replaces, never appends
        con = store.connection
        assert first.events == second.events == store.count("demo")
        assert value(con, "SELECT count(*) FROM persons WHERE project = 'demo'") == second.persons
        assert value(con, "SELECT count(DISTINCT uuid) FROM events") == first.events
    finally:
        store.close()


def test_events_span_the_window_with_the_product_s_event_names(
    con: duckdb.DuckDBPyConnection,
) -> None:
    names = {r[0] for r in rows(con, f"SELECT DISTINCT event FROM events WHERE project = {P}")}
    assert set(FUNNEL_STEPS) <= names
    assert {
        "$pageview",
        "$screen",
        "$identify",
        "Application Installed",
        "integration_failed",
        "admin_approval_requested",
        "dashboard_viewed",
        "report_created",
        "teammate_invited",
        "export_clicked",
        "plan_upgraded",
    } <= names
    first, last = con.execute(
        f"SELECT min(timestamp), max(timestamp) FROM events WHERE project = {P}"
    ).fetchone() or (None, None)
    assert first is not None and last is not None
    assert SMALL.start_at <= first < SMALL.start_at + timedelta(days=1)
    assert SMALL.end_at - timedelta(days=1) <= last < SMALL.end_at
    assert value(con, f"SELECT count(*) FROM events WHERE project = {P} AND event = 'signup'") == (
        SMALL.users
    )


def test_signed_in_events_carry_platform_channel_plan_country_and_device(
    con: duckdb.DuckDBPyConnection,
) -> None:
    missing = value(
        con,
        f"""
        SELECT count(*) FROM events
        WHERE project = {P} AND event IN {FUNNEL_STEPS}
          AND (properties->>'platform' NOT IN ('web', 'ios', 'android')
               OR properties->>'channel' IS NULL OR properties->>'plan' IS NULL
               OR properties->>'country' IS NULL OR properties->>'app_version' IS NULL
               OR properties->>'$."$os"' IS NULL OR properties->>'$."$device_type"' IS NULL)
        """,
    )
    assert missing == 0
    # browsers on the web, native apps on phones
    devices = set(
        rows(
            con,
            f"""
            SELECT DISTINCT properties->>'platform', properties->>'$."$device_type"',
                   properties->>'$."$browser"' IS NOT NULL
            FROM events WHERE project = {P} AND event = 'signup'
            """,
        )
    )
    assert devices == {
        ("web", "Desktop", True),
        ("ios", "Mobile", False),
        ("android", "Mobile", False),
    }
    channels = {
        r[0]
        for r in rows(
            con, f"SELECT DISTINCT properties->>'channel' FROM events WHERE project = {P}"
        )
    }
    assert {"organic_search", "paid_search", "paid_social", "referral", "direct"} <= channels


def test_signups_carry_utm_except_direct_traffic(con: duckdb.DuckDBPyConnection) -> None:
    by_channel = dict(
        rows(
            con,
            f"""
            SELECT properties->>'channel', avg((properties->>'utm_source' IS NOT NULL
                                                 AND properties->>'utm_medium' IS NOT NULL)::INT)
            FROM events WHERE project = {P} AND event = 'signup' GROUP BY 1
            """,
        )
    )
    assert by_channel.pop("direct") == 0
    assert all(share == 1 for share in by_channel.values())
    campaign = value(
        con,
        f"""SELECT count(*) FROM events WHERE project = {P} AND event = 'signup'
            AND properties->>'utm_campaign' = 'spring_launch'""",
    )
    assert isinstance(campaign, int) and campaign > SMALL.users // 10


def test_identify_merges_the_anonymous_history_into_a_person_with_properties(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # every $identify's anonymous id and user id belong to the same person
    split = value(
        con,
        f"""
        SELECT count(*) FROM events e
        JOIN person_distinct_ids a ON a.project = e.project
             AND a.distinct_id = e.properties->>'$."$anon_distinct_id"'
        JOIN person_distinct_ids u ON u.project = e.project AND u.distinct_id = e.distinct_id
        WHERE e.project = {P} AND e.event = '$identify' AND a.person_id <> u.person_id
        """,
    )
    assert split == 0
    # the marketing-site pageviews before signup now belong to the signed-up person
    pre_signup = value(
        con,
        f"""
        SELECT count(*) FROM events e
        JOIN person_distinct_ids m ON m.project = e.project AND m.distinct_id = e.distinct_id
        JOIN persons p ON p.project = m.project AND p.person_id = m.person_id
        WHERE e.project = {P} AND e.event = '$pageview'
          AND e.properties->>'$."$host"' = 'pulseboard.example'
          AND p.properties->>'email' IS NOT NULL
        """,
    )
    assert isinstance(pre_signup, int) and pre_signup > SMALL.users
    identified = rows(
        con,
        f"""
        SELECT p.properties FROM persons p
        WHERE p.project = {P} AND p.properties->>'email' IS NOT NULL
        """,
    )
    users = value(
        con,
        f"SELECT count(DISTINCT distinct_id) FROM events WHERE project = {P} "
        "AND event = '$identify'",
    )
    assert len(identified) == users
    import json

    for (text,) in identified[:200]:
        props = json.loads(str(text))
        assert {"plan", "platform", "channel", "country", "company_size", "role"} <= set(props)
        assert props["email"].endswith(".example")  # never a real address


def test_weekdays_are_busier_than_weekends(con: duckdb.DuckDBPyConnection) -> None:
    for event in ("signup", "dashboard_viewed"):
        weekday, weekend = con.execute(
            f"""
            WITH daily AS (
                SELECT date_trunc('day', timestamp) AS d, count(*) AS n
                FROM events WHERE project = {P} AND event = '{event}' GROUP BY 1)
            SELECT avg(n) FILTER (WHERE dayofweek(d) BETWEEN 1 AND 5),
                   avg(n) FILTER (WHERE dayofweek(d) IN (0, 6))
            FROM daily
            """
        ).fetchone() or (0, 1)
        assert weekday > 1.6 * weekend, event


def test_signups_grow_and_a_campaign_shifts_the_channel_mix(
    con: duckdb.DuckDBPyConnection, scenario: Scenario
) -> None:
    c = scenario.campaign
    first_weeks, last_weeks = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE timestamp < TIMESTAMPTZ '{SMALL.start_at + timedelta(days=21)}'),
               count(*) FILTER (WHERE timestamp >= TIMESTAMPTZ '{SMALL.end_at - timedelta(days=21)}'
                                  AND properties->>'utm_campaign' IS DISTINCT FROM 'spring_launch')
        FROM events WHERE project = {P} AND event = 'signup'
        """
    ).fetchone() or (1, 0)
    assert last_weeks > 1.25 * first_weeks
    share = dict(
        rows(
            con,
            f"""
            SELECT timestamp >= TIMESTAMPTZ '{c.starts_at}' AND timestamp < TIMESTAMPTZ '{c.ends_at}',
                   avg((properties->>'channel' = 'paid_social')::INT)
            FROM events WHERE project = {P} AND event = 'signup' GROUP BY 1
            """,
        )
    )
    assert share[True] > 3 * share[False]


def test_retention_is_better_on_paid_plans_and_worse_from_paid_social(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # share of signups of the first 30 days still active in days 28-42 after signup
    def retained(column: str) -> dict[str, float]:
        return {
            str(k): float(v)
            for k, v in rows(
                con,
                f"""
                WITH s AS (
                    SELECT distinct_id, timestamp AS t, properties->>'{column}' AS k
                    FROM events WHERE project = {P} AND event = 'signup'
                      AND timestamp < TIMESTAMPTZ '{SMALL.start_at + timedelta(days=30)}'),
                a AS (
                    SELECT DISTINCT s.distinct_id FROM s JOIN events e
                      ON e.project = {P} AND e.distinct_id = s.distinct_id
                     AND e.event = 'dashboard_viewed'
                     AND e.timestamp BETWEEN s.t + INTERVAL 28 DAY AND s.t + INTERVAL 42 DAY)
                SELECT k, avg((a.distinct_id IS NOT NULL)::INT) FROM s
                LEFT JOIN a USING (distinct_id) GROUP BY k
                """,
            )
        }

    by_plan = retained("plan")
    assert by_plan["business"] > by_plan["pro"] > by_plan["free"]
    by_channel = retained("channel")
    assert by_channel["referral"] > by_channel["paid_social"]


@pytest.mark.slow
def test_the_default_demo_has_50k_users_and_a_million_events(tmp_path: Path) -> None:
    store = DuckDBEventStore(tmp_path / "events.duckdb")
    try:
        result = generate_demo(store, DemoConfig(start=SMALL.start))
        con = store.connection
        signups = value(con, "SELECT count(*) FROM events WHERE event = 'signup'")
        assert isinstance(signups, int) and signups >= 50_000
        assert store.count("demo") == result.events >= 1_000_000
    finally:
        store.close()
