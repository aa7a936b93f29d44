"""What the stored demo contains, measured with plain SQL over the event store.

Nothing here is taken from the generator's parameters except the scenario's dates and
names: counts, the date range and the conversion around the release are queried from
the stored events, so the summary is evidence that the planted problem is really in
the data (and a template for the analyses later features run on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from fieldnote.demo._load import stored_scenario

__all__ = [
    "DemoSummary",
    "PlatformConversion",
    "ReleaseSummary",
    "StepConversion",
    "summarize_demo",
]


@dataclass(frozen=True, kw_only=True)
class StepConversion:
    """Users who reached ``step_from`` in a period, and how many went on to ``step_to``."""

    reached: int
    converted: int
    rate: float | None

    @classmethod
    def of(cls, reached: int, converted: int) -> StepConversion:
        return cls(
            reached=reached,
            converted=converted,
            rate=round(converted / reached, 4) if reached else None,
        )


@dataclass(frozen=True, kw_only=True)
class PlatformConversion:
    """One platform's conversion at the planted step: before the planted release, after
    it (until the fix) and after the fix release."""

    platform: str
    before: StepConversion
    after: StepConversion
    fixed: StepConversion


@dataclass(frozen=True, kw_only=True)
class ReleaseSummary:
    version: str
    title: str
    description: str
    at: datetime
    day: int
    #: First stored event carrying this ``app_version`` (None if the data lacks it).
    first_seen: datetime | None
    planted_problem: bool
    fixes_problem: bool


@dataclass(frozen=True, kw_only=True)
class DemoSummary:
    project: str
    seed: int
    signups: int  # ``signup`` events: users who signed up inside the window
    users: int  # identified persons (signed up in the window or before it)
    persons: int  # all persons, anonymous marketing-site visitors included
    events: int
    first_event: datetime | None
    last_event: datetime | None
    days: int
    event_counts: dict[str, int]
    releases: list[ReleaseSummary]
    campaign: str
    campaign_starts_at: datetime
    campaign_ends_at: datetime
    step_from: str
    step_to: str
    conversion: list[PlatformConversion]
    planted_problem: str


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> tuple[Any, ...]:
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise LookupError("aggregate query returned no row")
    return tuple(row)


def summarize_demo(con: duckdb.DuckDBPyConnection, project: str) -> DemoSummary:
    """Measure the stored demo of ``project``; raise LookupError when there is none."""
    scenario = stored_scenario(con, project)
    if scenario is None:
        raise LookupError(f"project {project!r} holds no finished demo")
    release = scenario.release
    planted = scenario.planted

    events, first, last = _row(
        con,
        "SELECT count(*), min(timestamp), max(timestamp) FROM events WHERE project = ?",
        [project],
    )
    persons, users = _row(
        con,
        "SELECT count(*), count(*) FILTER (WHERE json_extract_string(properties, '$.email') "
        "IS NOT NULL) FROM persons WHERE project = ?",
        [project],
    )
    counts = dict(
        con.execute(
            "SELECT event, count(*) FROM events WHERE project = ? GROUP BY event "
            "ORDER BY count(*) DESC, event",
            [project],
        ).fetchall()
    )
    releases = []
    for r in scenario.releases:
        (seen,) = _row(
            con,
            "SELECT min(timestamp) FROM events WHERE project = ? "
            "AND json_extract_string(properties, '$.app_version') = ?",
            [project, r.version],
        )
        releases.append(
            ReleaseSummary(
                version=r.version,
                title=r.title,
                description=r.description,
                at=r.at,
                day=r.day(scenario.config),
                first_seen=_utc(seen),
                planted_problem=r.planted_problem,
                fixes_problem=r.fixes_problem,
            )
        )
    # Each user's first arrival at the step, its platform then, and whether a later
    # ``step_to`` followed; the period is set by that first arrival.
    rows = con.execute(
        """
        WITH reached AS (
            SELECT distinct_id, min(timestamp) AS t,
                   arg_min(json_extract_string(properties, '$.platform'), timestamp) AS platform
            FROM events WHERE project = $project AND event = $step_from
            GROUP BY distinct_id
        ), converted AS (
            SELECT distinct_id, max(timestamp) AS t
            FROM events WHERE project = $project AND event = $step_to
            GROUP BY distinct_id
        )
        SELECT r.platform,
               CASE WHEN r.t < $release THEN 0 WHEN r.t < $fix THEN 1 ELSE 2 END AS period,
               count(*),
               count(c.distinct_id) FILTER (WHERE c.t >= r.t)
        FROM reached r LEFT JOIN converted c USING (distinct_id)
        GROUP BY ALL ORDER BY 1, 2
        """,
        {
            "project": project,
            "step_from": planted.step_from,
            "step_to": planted.step_to,
            "release": release.at,
            "fix": scenario.fix.at if scenario.fix else scenario.config.end_at,
        },
    ).fetchall()
    by_platform: dict[str, dict[int, StepConversion]] = {}
    for platform, period, reached, converted in rows:
        by_platform.setdefault(str(platform), {})[int(period)] = StepConversion.of(
            int(reached), int(converted)
        )
    empty = StepConversion.of(0, 0)
    return DemoSummary(
        project=project,
        seed=scenario.config.seed,
        signups=int(counts.get("signup", 0)),
        users=int(users),
        persons=int(persons),
        events=int(events),
        first_event=_utc(first),
        last_event=_utc(last),
        days=scenario.config.days,
        event_counts={str(k): int(v) for k, v in counts.items()},
        releases=releases,
        campaign=scenario.campaign.name,
        campaign_starts_at=scenario.campaign.starts_at,
        campaign_ends_at=scenario.campaign.ends_at,
        step_from=planted.step_from,
        step_to=planted.step_to,
        conversion=[
            PlatformConversion(
                platform=p,
                before=periods.get(0, empty),
                after=periods.get(1, empty),
                fixed=periods.get(2, empty),
            )
            for p, periods in sorted(by_platform.items())
        ],
        planted_problem=planted.summary,
    )
