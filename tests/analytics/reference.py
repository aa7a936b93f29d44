"""Plain-Python reference implementations: the definitions in docs/analytics.md, written
as directly (and slowly) as possible, for hypothesis to compare the engines against.

Nothing here is shared with the engines: the funnel reference searches every chain
(depth-first, not the engines' greedy pointer chasing) and filters properties from
the Python dicts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fieldnote.analytics._filters import Operator, PropertyFilter
from fieldnote.analytics.funnels import BreakdownKind, Funnel, FunnelOrder, FunnelStep

US = 1_000_000


@dataclass(frozen=True)
class Ev:
    distinct_id: str
    event: str
    ts: int
    """Microseconds since the epoch (UTC)."""
    props: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    project: str = "p"


def prop_text(props: dict[str, Any], key: str) -> str | None:
    value = props.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # 2.5, 2.0: as JSON writes them
    raise AssertionError(f"reference does not render {value!r} as text")


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


_CMP: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: lambda a, b: a == b,
    Operator.NE: lambda a, b: a == b,
    Operator.LT: lambda a, b: a < b,
    Operator.LE: lambda a, b: a <= b,
    Operator.GT: lambda a, b: a > b,
    Operator.GE: lambda a, b: a >= b,
}


def matches_filter(props: dict[str, Any], flt: PropertyFilter) -> bool:
    text = prop_text(props, flt.key)
    if flt.number is not None:
        left: Any = _number(text)
        right: Any = flt.number
    else:
        left, right = text, flt.value
    holds = left is not None and _CMP[flt.op](left, right)
    return not holds if flt.op is Operator.NE else holds


def matches_step(ev: Ev, step: FunnelStep) -> bool:
    return ev.event == step.event and all(matches_filter(ev.props, f) for f in step.filters)


def linear_quantile(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass(frozen=True)
class RefGroup:
    counts: tuple[int, ...]
    seconds: tuple[tuple[float, float, float, float] | None, ...]


def _chains(funnel: Funnel, evs: list[Ev], chain: list[Ev]) -> list[tuple[int, ...]]:
    """Every valid chain extending ``chain`` as far as it goes (times of its steps)."""
    j = len(chain)
    out: list[tuple[int, ...]] = []
    if j < len(funnel.steps):
        prev, first = chain[-1], chain[0]
        for ev in evs:
            if not matches_step(ev, funnel.steps[j]):
                continue
            if ev.ts > first.ts + funnel.window_us:
                continue
            if ev.ts < prev.ts or (funnel.strictly_later(j) and ev.ts == prev.ts):
                continue
            if funnel.order is FunnelOrder.STRICT and any(prev.ts < o.ts < ev.ts for o in evs):
                continue
            out += _chains(funnel, evs, [*chain, ev])
    return out or [tuple(e.ts for e in chain)]


def start_value(ev: Ev, kind: BreakdownKind, key: str) -> str | None:
    """The breakdown value a first-step event carries."""
    day = datetime.fromtimestamp(ev.ts / US, UTC).date()
    if kind is BreakdownKind.DAY:
        return day.isoformat()
    if kind is BreakdownKind.WEEK:
        return (day - timedelta(days=day.weekday())).isoformat()
    return prop_text(ev.props, key)


def reference_funnel(
    funnel: Funnel,
    events: list[Ev],
    *,
    person_of: dict[str, str] | None = None,
    person_props: dict[str, dict[str, Any]] | None = None,
    project: str | None = None,
) -> dict[tuple[bool, str | None], RefGroup]:
    """{(total, breakdown value): counts and percentiles}, like the engines return."""
    person_of = person_of or {}
    by_actor: dict[str, list[Ev]] = defaultdict(list)
    for ev in events:
        if project is not None and ev.project != project:
            continue
        by_actor[person_of.get(ev.distinct_id, ev.distinct_id)].append(ev)
    lo, hi = funnel.dates.start, funnel.dates.end
    lo_us = None if lo is None else _us(lo)
    hi_us = None if hi is None else _us(hi)
    # (group key, actor) -> (level, times of the counted chain)
    reached: dict[tuple[bool, str | None], dict[str, tuple[int, list[int]]]] = defaultdict(dict)
    bd = funnel.breakdown
    for actor, evs in by_actor.items():
        starts = [
            e
            for e in evs
            if matches_step(e, funnel.steps[0])
            and (lo_us is None or e.ts >= lo_us)
            and (hi_us is None or e.ts < hi_us)
        ]
        if not starts:
            continue
        # (level, times) of every chain from every start, with the start's event
        scored = [(len(c), c, s) for s in starts for c in _chains(funnel, evs, [s])]

        def best(candidates: list[tuple[int, tuple[int, ...], Ev]]) -> tuple[int, list[int]]:
            """The furthest chain; then the earliest start, then the earliest times."""
            level = max(c[0] for c in candidates)
            return level, list(min(t for lv, t, _ in candidates if lv == level))

        reached[(True, None)][actor] = best(scored)
        if bd is not None and bd.kind is not BreakdownKind.PERSON:
            values = {start_value(s, bd.kind, bd.key) for _, _, s in scored}
            for v in values:
                subset = [c for c in scored if start_value(c[2], bd.kind, bd.key) == v]
                reached[(False, v)][actor] = best(subset)
        elif bd is not None:
            v = prop_text((person_props or {}).get(actor, {}), bd.key)
            reached[(False, v)][actor] = best(scored)
    out: dict[tuple[bool, str | None], RefGroup] = {}
    n = len(funnel.steps)
    for key, actors in reached.items():
        counts = tuple(sum(1 for lv, _ in actors.values() if lv >= k) for k in range(1, n + 1))
        seconds: list[tuple[float, float, float, float] | None] = [None]
        for k in range(2, n + 1):
            d = [(t[k - 1] - t[k - 2]) / US for lv, t in actors.values() if lv >= k]
            seconds.append(
                tuple(linear_quantile(d, q) for q in (0.25, 0.5, 0.75, 0.9)) if d else None  # type: ignore[misc]
            )
        out[key] = RefGroup(counts=counts, seconds=tuple(seconds))
    if (True, None) not in out:
        out[(True, None)] = RefGroup(counts=(0,) * n, seconds=(None,) * n)
    return out


def _us(value: datetime) -> int:
    return (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


# -- trends ---------------------------------------------------------------------------


def day_of(ts: int) -> date:
    return datetime.fromtimestamp(ts / US, UTC).date()


def period_of(ts: int, days: int) -> date:
    d = day_of(ts)
    return d - timedelta(days=d.weekday()) if days == 7 else d


def reference_event_series(
    events: list[Ev],
    step: FunnelStep,
    measure: str,
    periods: list[date],
    days: int,
    person_of: dict[str, str],
) -> list[float]:
    kind, _, key = measure.partition(":")
    out = []
    for p in periods:
        hits = [e for e in events if matches_step(e, step) and period_of(e.ts, days) == p]
        if kind == "count":
            out.append(float(len(hits)))
        elif kind == "users":
            out.append(float(len({person_of.get(e.distinct_id, e.distinct_id) for e in hits})))
        else:
            nums = [_number(prop_text(e.props, key)) for e in hits]
            out.append(float(sum(n for n in nums if n is not None)))
    return out


def reference_active_sets(
    events: list[Ev], step: FunnelStep | None, days: int, person_of: dict[str, str]
) -> dict[date, set[str]]:
    active: dict[date, set[str]] = defaultdict(set)
    for e in events:
        if step is None or matches_step(e, step):
            active[period_of(e.ts, days)].add(person_of.get(e.distinct_id, e.distinct_id))
    return active


def reference_stickiness(
    events: list[Ev], step: FunnelStep | None, day_list: list[date], person_of: dict[str, str]
) -> dict[str, list[int]]:
    active = reference_active_sets(events, step, 1, person_of)
    out: dict[str, list[int]] = {}
    for name, width in (("dau", 1), ("wau", 7), ("mau", 30)):
        out[name] = [
            len(set().union(*(active.get(d - timedelta(days=i), set()) for i in range(width))))
            for d in day_list
        ]
    return out


def reference_churn(
    events: list[Ev],
    step: FunnelStep | None,
    periods: list[date],
    days: int,
    person_of: dict[str, str],
) -> list[tuple[int, int]]:
    """(churned, active) per period."""
    active = reference_active_sets(events, step, days, person_of)
    out = []
    for p in periods:
        here = active.get(p, set())
        after = active.get(p + timedelta(days=days), set())
        out.append((len(here - after), len(here)))
    return out


def reference_retention(
    events: list[Ev],
    start: FunnelStep | None,
    back: FunnelStep | None,
    cohorts: list[date],
    days: int,
    periods: int,
    person_of: dict[str, str],
) -> dict[date, list[int]]:
    """{cohort period: [size, retained after 1 period, ..., after ``periods``]}."""
    first: dict[str, int] = {}
    for e in events:
        if start is None or matches_step(e, start):
            who = person_of.get(e.distinct_id, e.distinct_id)
            first[who] = min(first.get(who, e.ts), e.ts)
    active = reference_active_sets(events, back, days, person_of)
    out = {}
    for c in cohorts:
        members = {who for who, ts in first.items() if period_of(ts, days) == c}
        row = [len(members)]
        for k in range(1, periods + 1):
            row.append(len(members & active.get(c + timedelta(days=days * k), set())))
        out[c] = row
    return out


def reference_levels(funnel: Funnel, events: list[Ev], person_of: dict[str, str]) -> dict[str, int]:
    """Each user's furthest step (users who entered only), by the chain search above."""
    by_actor: dict[str, list[Ev]] = defaultdict(list)
    for ev in events:
        by_actor[person_of.get(ev.distinct_id, ev.distinct_id)].append(ev)
    lo = None if funnel.dates.start is None else _us(funnel.dates.start)
    hi = None if funnel.dates.end is None else _us(funnel.dates.end)
    out = {}
    for actor, evs in by_actor.items():
        starts = [
            e
            for e in evs
            if matches_step(e, funnel.steps[0])
            and (lo is None or e.ts >= lo)
            and (hi is None or e.ts < hi)
        ]
        if starts:
            out[actor] = max(len(c) for s in starts for c in _chains(funnel, evs, [s]))
    return out
