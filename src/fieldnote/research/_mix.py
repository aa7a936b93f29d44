"""A study's tier mix from the people it targets: how many daily, occasional and
churned users the target segments hold now, and the mix of participants to recruit.

A study learns more from a spread of usage than from whoever answers first (issue 5
item 3): the plan asks for ``DEFAULT_MIX`` (two of each tier) and fills each tier as
far as the segments have such people, giving the slots a tier cannot fill to the
tiers that have people to spare, so the total stays within the quota when possible.

Tiers are per *person* (all of a person's distinct ids together) by ``_tiers``'
rules, as of the latest event in the source (so a replay gives the same mix). The
query is generated SQL in the source's dialect: the same on DuckDB and Spark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fieldnote.analytics import EventSource
from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sql import period_start_day
from fieldnote.analytics.segments import run_rows
from fieldnote.analytics.trends._common import params_for
from fieldnote.analytics.trends._model import day_number, day_of_number
from fieldnote.research._tiers import classify

__all__ = ["DEFAULT_MIX", "MIX_TIERS", "TierMix", "person_tiers", "propose_mix", "tier_mix"]

#: The plan's tier names, in the order spare slots are handed out.
MIX_TIERS = ("daily", "occasional", "churned")
#: Target participants per tier (sums to 6, inside the default 5-8 quota).
DEFAULT_MIX: dict[str, int] = {"daily": 2, "occasional": 2, "churned": 2}
#: ``_tiers`` says "dormant" for seen before but not in the last 30 days: churned here.
_PLAN_TIER = {"daily": "daily", "occasional": "occasional", "dormant": "churned"}
_RECENT_DAYS = 14


@dataclass(frozen=True)
class TierMix:
    as_of: date | None
    """The day tiers were computed for (the latest event's); None without events."""
    people: int
    """Persons whose tiers were read (the target segments' members, deduplicated)."""
    available: dict[str, int]
    proposed: dict[str, int]
    note: str | None = None
    """Why the mix falls short of the target, when it does."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "people": self.people,
            "available": dict(self.available),
            "proposed": dict(self.proposed),
            "note": self.note,
        }


def propose_mix(
    available: Mapping[str, int], want: Mapping[str, int] = DEFAULT_MIX
) -> dict[str, int]:
    """Each tier's target, capped by who is available; slots a tier cannot fill go one
    at a time, in ``MIX_TIERS`` order, to tiers with people left."""
    give = {t: min(want.get(t, 0), max(0, available.get(t, 0))) for t in MIX_TIERS}
    short = sum(want.get(t, 0) for t in MIX_TIERS) - sum(give.values())
    while short > 0:
        spare = [t for t in MIX_TIERS if available.get(t, 0) > give[t]]
        if not spare:
            break
        for tier in spare:
            if short == 0:
                break
            give[tier] += 1
            short -= 1
    return give


def person_tiers(source: EventSource, persons: Iterable[str], today: date) -> dict[str, str]:
    """Plan tier (daily / occasional / churned) per person id, from their events up to
    ``today`` (UTC days; ``_tiers.classify``'s thresholds)."""
    wanted = sorted(set(persons))
    if not wanted:
        return {}
    params = params_for(source)
    rel = events_from(params, source.tables)
    day = period_start_day(params.dialect, "e.timestamp", "day")
    hi = params.add(day_number(today))
    lo = params.add(day_number(today - timedelta(days=_RECENT_DAYS)))
    person = f"CAST({rel.actor} AS STRING)"
    listed = ", ".join(params.add(p) for p in wanted)
    where = " AND " if " WHERE " in rel.from_where else " WHERE "
    sql = (
        f"SELECT person, count(DISTINCT CASE WHEN d > {lo} AND d <= {hi} THEN d END) AS recent, "
        f"max(CASE WHEN d <= {hi} THEN d END) AS last_day FROM ("
        f"SELECT {person} AS person, {day} AS d {rel.from_where}{where}{person} IN ({listed})"
        ") t GROUP BY person"
    )
    out: dict[str, str] = {}
    for who, recent, last_day in run_rows(source, sql, params):
        last = None if last_day is None else day_of_number(int(last_day))
        tier = _PLAN_TIER.get(classify(int(recent or 0), last, today))
        if tier is not None:
            out[str(who)] = tier
    return out


def tier_mix(
    source: EventSource, persons: Iterable[str], today: date | None, *, quota_min: int = 5
) -> TierMix:
    """The tiers of ``persons`` as of ``today`` and the mix to recruit from them."""
    people = sorted(set(persons))
    if today is None or not people:
        empty = dict.fromkeys(MIX_TIERS, 0)
        return TierMix(
            as_of=today,
            people=0,
            available=empty,
            proposed=dict(empty),
            note="the target segments have nobody now: recruit once they do",
        )
    tiers = person_tiers(source, people, today)
    available = {t: sum(1 for v in tiers.values() if v == t) for t in MIX_TIERS}
    proposed = propose_mix(available)
    missing = [t for t in MIX_TIERS if available[t] < DEFAULT_MIX[t]]
    note = None
    if sum(proposed.values()) < quota_min:
        note = f"only {sum(proposed.values())} people to recruit, below the quota's {quota_min}"
    elif missing:
        note = f"too few {' and '.join(missing)} users: their slots go to the other tiers"
    return TierMix(
        as_of=today, people=len(people), available=available, proposed=proposed, note=note
    )
