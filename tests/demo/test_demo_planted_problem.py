"""The planted problem is in the data, measurable with plain SQL, and the confounder too.

These are the facts later features (funnels, change decomposition, monitors,
recruiting) rely on: from release 2.4.0 mobile users who reach the integration step
mostly fail with ``admin_access_required``; web users do not; and a paid-social
campaign running at the same time changes the traffic mix.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from fieldnote.demo import Scenario
from tests.demo.conftest import SMALL

P = "'demo'"


def step_conversion(
    con: duckdb.DuckDBPyConnection, lo: datetime, hi: datetime
) -> dict[str, tuple[int, float]]:
    """Per device class: users reaching integration_step_viewed in [lo, hi), and the
    share of them with a later connect_integration."""
    result = con.execute(
        f"""
        WITH reached AS (
            SELECT distinct_id, min(timestamp) AS t,
                   CASE WHEN min(properties->>'platform') = 'web' THEN 'desktop'
                        ELSE 'mobile' END AS device
            FROM events WHERE project = {P} AND event = 'integration_step_viewed'
            GROUP BY distinct_id),
        connected AS (
            SELECT distinct_id, max(timestamp) AS t FROM events
            WHERE project = {P} AND event = 'connect_integration' GROUP BY distinct_id)
        SELECT device, count(*), avg((c.t IS NOT NULL AND c.t >= r.t)::INT)
        FROM reached r LEFT JOIN connected c USING (distinct_id)
        WHERE r.t >= ? AND r.t < ?
        GROUP BY device
        """,
        [lo, hi],
    ).fetchall()
    return {str(d): (int(n), float(rate)) for d, n, rate in result}


def same_rate(a: tuple[int, float], b: tuple[int, float], z: float = 3.5) -> bool:
    """Two conversion rates agree within sampling noise (a two-proportion z bound)."""
    (n1, p1), (n2, p2) = a, b
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    return abs(p1 - p2) <= z * (pooled * (1 - pooled) * (1 / n1 + 1 / n2)) ** 0.5


def test_the_release_is_recorded_and_visible_in_app_version(
    con: duckdb.DuckDBPyConnection, scenario: Scenario
) -> None:
    release = scenario.release
    assert release.version == "2.4.0"
    assert release.title == "Integrations now require workspace admin"
    assert release.day(SMALL) == 60
    assert release.at.date() == SMALL.start + timedelta(days=60)
    first, last_before = con.execute(
        f"""
        SELECT min(timestamp) FILTER (WHERE properties->>'app_version' = '2.4.0'),
               max(timestamp) FILTER (WHERE properties->>'app_version' = '2.3.0')
        FROM events WHERE project = {P}
        """
    ).fetchone() or (None, None)
    assert first is not None and last_before is not None
    assert last_before < release.at <= first < release.at + timedelta(hours=1)


def test_mobile_users_stop_connecting_after_the_release_desktop_does_not(
    con: duckdb.DuckDBPyConnection, scenario: Scenario
) -> None:
    at, fix = scenario.release.at, scenario.fix
    assert fix is not None
    before = step_conversion(con, SMALL.start_at, at)
    after = step_conversion(con, at, fix.at)
    assert before["mobile"][0] > 200 and after["mobile"][0] > 200
    assert before["mobile"][1] > 0.55
    assert after["mobile"][1] < 0.5 * before["mobile"][1]
    assert same_rate(after["desktop"], before["desktop"])
    assert after["desktop"][1] > 0.65


def test_the_fix_release_brings_mobile_back(
    con: duckdb.DuckDBPyConnection, scenario: Scenario
) -> None:
    fix = scenario.fix
    assert fix is not None and fix.version == "2.4.1" and fix.day(SMALL) == 75
    # users who reach the step in the fix's first week have had time to come back
    after = step_conversion(con, scenario.release.at, fix.at)
    fixed = step_conversion(con, fix.at, fix.at + timedelta(days=7))
    before = step_conversion(con, scenario.release.at - timedelta(days=14), scenario.release.at)
    assert fixed["mobile"][0] > 50
    assert fixed["mobile"][1] > 2 * after["mobile"][1]
    assert fixed["mobile"][1] > 0.8 * before["mobile"][1]
    # and the planted failure stops: no admin_access_required after the fix settles
    (late,) = con.execute(
        f"""
        SELECT count(*) FROM events WHERE project = {P}
          AND properties->>'reason' = 'admin_access_required' AND timestamp >= ?
        """,
        [fix.at + timedelta(days=1)],
    ).fetchone() or (None,)
    assert late == 0


def test_the_failures_say_why(con: duckdb.DuckDBPyConnection, scenario: Scenario) -> None:
    planted = scenario.planted
    assert scenario.fix is not None
    fix_at = scenario.fix.at
    counts = {
        (str(platform), bool(after)): int(n)
        for platform, after, n in con.execute(
            f"""
            SELECT properties->>'platform', timestamp >= ?, count(*)
            FROM events WHERE project = {P} AND event = '{planted.failure_event}'
              AND properties->>'reason' = '{planted.failure_reason}'
              AND properties->>'error_code' = '{planted.error_code}'
            GROUP BY ALL
            """,
            [scenario.release.at],
        ).fetchall()
    }
    assert set(counts) == {("ios", True), ("android", True)}  # only mobile, only after
    # most mobile users who reached the step after the release and did not connect
    # saw that failure
    share = con.execute(
        f"""
        WITH dropped AS (
            SELECT distinct_id FROM events WHERE project = {P}
              AND event = 'integration_step_viewed' AND timestamp >= ? AND timestamp < ?
              AND properties->>'platform' IN ('ios', 'android')
            EXCEPT
            SELECT distinct_id FROM events WHERE project = {P} AND event = 'connect_integration')
        SELECT avg((f.distinct_id IS NOT NULL)::INT) FROM dropped d LEFT JOIN (
            SELECT DISTINCT distinct_id FROM events WHERE project = {P}
              AND properties->>'reason' = 'admin_access_required') f USING (distinct_id)
        """,
        [scenario.release.at, fix_at],
    ).fetchone()
    assert share is not None and share[0] > 0.8


def test_the_harmless_release_changes_nothing(
    con: duckdb.DuckDBPyConnection, scenario: Scenario
) -> None:
    control = next(r for r in scenario.releases if not r.planted_problem)
    two_weeks = timedelta(days=14)
    before = step_conversion(con, control.at - two_weeks, control.at)
    after = step_conversion(con, control.at, control.at + two_weeks)
    for device in ("desktop", "mobile"):
        assert same_rate(after[device], before[device]), (device, before, after)


def test_a_campaign_confounds_a_naive_before_after_comparison(
    con: duckdb.DuckDBPyConnection, scenario: Scenario
) -> None:
    c = scenario.campaign
    assert c.starts_at < scenario.release.at < c.ends_at
    fix_at = scenario.fix.at if scenario.fix else SMALL.end_at
    # The campaign brings mostly mobile signups ...
    mobile_share = dict(
        con.execute(
            f"""
            SELECT properties->>'utm_campaign' = 'spring_launch',
                   avg((properties->>'platform' <> 'web')::INT)
            FROM events WHERE project = {P} AND event = 'signup'
              AND properties->>'utm_campaign' IS NOT NULL
            GROUP BY 1
            """
        ).fetchall()
    )
    assert mobile_share[True] > 1.5 * mobile_share[False]
    # ... who get less far on every platform, even before the integration step (which
    # the release did not touch): a mix effect, not a product change.
    rates = {
        (str(platform), bool(campaign)): float(rate)
        for platform, campaign, rate in con.execute(
            f"""
            WITH s AS (
                SELECT distinct_id, properties->>'platform' AS platform,
                       coalesce(properties->>'utm_campaign' = 'spring_launch', false) AS campaign
                FROM events WHERE project = {P} AND event = 'signup'),
            v AS (SELECT DISTINCT distinct_id FROM events
                  WHERE project = {P} AND event = 'integration_step_viewed')
            SELECT platform, campaign, avg((v.distinct_id IS NOT NULL)::INT)
            FROM s LEFT JOIN v USING (distinct_id) GROUP BY ALL
            """
        ).fetchall()
    }
    for platform in ("web", "ios", "android"):
        assert rates[(platform, True)] < 0.8 * rates[(platform, False)], platform
    # So the overall activation drop after the release is bigger than the drop among
    # web users, who the release did not touch: a naive comparison mixes causes.
    overall, web = con.execute(
        f"""
        WITH s AS (
            SELECT distinct_id, timestamp >= ? AS after, properties->>'platform' AS platform
            FROM events WHERE project = {P} AND event = 'signup'
              AND timestamp < ?),
        a AS (SELECT DISTINCT distinct_id FROM events WHERE project = {P} AND event = 'activated')
        SELECT avg((a.distinct_id IS NOT NULL)::INT) FILTER (WHERE NOT after)
                 - avg((a.distinct_id IS NOT NULL)::INT) FILTER (WHERE after),
               avg((a.distinct_id IS NOT NULL)::INT) FILTER (WHERE NOT after AND platform = 'web')
                 - avg((a.distinct_id IS NOT NULL)::INT) FILTER (WHERE after AND platform = 'web')
        FROM s LEFT JOIN a USING (distinct_id)
        """,
        [scenario.release.at, min(SMALL.end_at - timedelta(days=7), fix_at)],
    ).fetchone() or (0, 0)
    assert overall > 0.1
    assert web < overall / 2
