"""Retention and usage: how long each user stays, on which days they come back, and
what they do in a session (pages or screens, dashboards, reports, exports, invites).

Retention differs by plan and acquisition channel; activated users get a lifetime
(early churn or an exponential lifetime by plan) and a share of weekdays they show up.
Days are drawn in blocks of 20,000 users so memory stays flat at any size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fieldnote.demo._catalog import (
    CATALOG,
    DASHBOARDS,
    EXPORT_FORMATS,
    INVITE_ROLES,
    PLANS,
    REPORT_TYPES,
    Ctx,
    Kind,
)
from fieldnote.demo._draws import DAY, NEVER, Array, Events, S, pick, pick_rows, time_of_day, us
from fieldnote.demo._knobs import (
    ACTIVE_SHARE,
    APP_PAGE_P,
    EARLY_CHURN,
    LIFETIME_DAYS,
    UPGRADE_P,
    UPGRADE_TO,
    USAGE_WEEKDAY,
    WARMUP_DAYS,
)
from fieldnote.demo._onboarding import Onboarding

__all__ = ["Plans", "act_usage"]


@dataclass(frozen=True)
class Plans:
    """Who upgraded, to what, when (``NEVER``: not in their lifetime)."""

    plan_to: Array
    upgrade_ts: Array


def act_usage(
    ru: np.random.Generator,
    ev: Events,
    onb: Onboarding,
    *,
    signup_ts: Array,
    group: Array,
    plan0: Array,
    platform: Array,
    tz: Array,
    weekday: Array,
    start_us: int,
    n_days: int,
) -> Plans:
    """Add upgrades and every usage event inside the window to ``ev``."""
    n = int(signup_ts.shape[0])
    users = np.arange(n)
    end_us = start_us + n_days * DAY
    activated, connected, t_act = onb.activated, onb.connected, onb.t_act
    active_user = activated & (t_act < end_us)
    anchor = np.where(active_user, t_act, signup_ts)
    anchor_day = (anchor - start_us) // DAY
    churns_early = ru.random(n) < np.clip(EARLY_CHURN[group] - 0.1 * (plan0 == 3), 0, 1)
    lifetime = np.where(
        active_user,
        np.where(churns_early, ru.uniform(1, 14, n), ru.exponential(LIFETIME_DAYS[plan0])),
        np.where(connected, ru.uniform(0, 10, n), ru.uniform(0, 4, n)),
    )
    share = np.where(
        active_user,
        np.clip(ACTIVE_SHARE[plan0] * ru.lognormal(0, 0.3, n), 0.02, 0.9),
        np.where(connected, 0.25, 0.15),
    )
    up = active_user & (ru.random(n) < UPGRADE_P[plan0])
    plan_to = np.where(up, pick_rows(ru, UPGRADE_TO, plan0), plan0)
    upgrade_ts = np.where(up, t_act + us(ru.uniform(0, 1, n) * lifetime * 86_400), NEVER)
    up_ok = up & (upgrade_ts < end_us)
    ev.add(
        upgrade_ts[up_ok],
        users[up_ok],
        Ctx.APP,
        CATALOG.row(Kind.UPGRADE, plan0[up_ok] * len(PLANS) + plan_to[up_ok]),
    )
    offsets = np.arange(1, n_days + WARMUP_DAYS)
    for lo in range(0, n, 20_000):
        blk = users[lo : lo + 20_000]
        d = anchor_day[blk, None] + offsets[None, :]
        alive = (offsets[None, :] <= lifetime[blk, None]) & (d >= 0) & (d < n_days)
        p = (
            share[blk, None]
            * USAGE_WEEKDAY[weekday[np.clip(d + WARMUP_DAYS, 0, weekday.shape[0] - 1)]]
        )
        on = alive & (ru.random(d.shape, dtype=np.float32) < p)
        ui, oi = np.nonzero(on)
        _sessions(ru, ev, blk[ui], d[ui, oi], start_us, tz, platform, active_user)
    return Plans(plan_to=plan_to, upgrade_ts=upgrade_ts)


def _sessions(
    rng: np.random.Generator,
    ev: Events,
    user: Array,
    day: Array,
    start_us: int,
    tz: Array,
    platform: Array,
    active_user: Array,
) -> None:
    """Sessions on active days: pages/screens, dashboards, reports, exports, invites."""
    sessions = 1 + rng.poisson(0.3, user.shape[0])
    s_user = np.repeat(user, sessions)
    s_start = start_us + np.repeat(day, sessions) * DAY + time_of_day(rng, tz[s_user])
    s_len = us(60 + rng.exponential(900, s_user.shape))
    act = active_user[s_user]
    ns = s_user.shape[0]
    mobile = platform[s_user] > 0
    # the first page of each session at its start
    first = np.where(mobile, CATALOG.row(Kind.APP_SCREEN, 0), CATALOG.row(Kind.APP_PAGEVIEW, 0))
    ev.add(s_start, s_user, Ctx.APP, first)

    def scatter(counts: Array) -> tuple[Array, Array]:
        idx = np.repeat(np.arange(ns), counts)
        ts = s_start[idx] + (rng.random(idx.shape[0]) * s_len[idx]).astype(np.int64) + S
        return idx, ts

    idx, ts = scatter(rng.poisson(1.2, ns))
    page = pick(rng, idx.shape[0], APP_PAGE_P)
    kind_base = np.where(mobile[idx], CATALOG.row(Kind.APP_SCREEN), CATALOG.row(Kind.APP_PAGEVIEW))
    ev.add(ts, s_user[idx], Ctx.APP, kind_base + page)
    for kind, rate_active, rate_other, vocab, p in (
        (Kind.DASHBOARD, 1.1, 0.6, DASHBOARDS, np.array([0.4, 0.2, 0.15, 0.15, 0.1])),
        (Kind.REPORT, 0.3, 0.03, REPORT_TYPES, np.array([0.45, 0.3, 0.2, 0.05])),
        (Kind.EXPORT, 0.15, 0.01, EXPORT_FORMATS, np.array([0.6, 0.3, 0.1])),
        (Kind.INVITE, 0.04, 0.005, INVITE_ROLES, np.array([0.7, 0.2, 0.1])),
    ):
        idx, ts = scatter(rng.poisson(np.where(act, rate_active, rate_other)))
        assert len(vocab) == p.shape[0]
        ev.add(ts, s_user[idx], Ctx.APP, CATALOG.row(kind, pick(rng, idx.shape[0], p)))
