"""Acting out the scenario with numpy: people, onboarding, failures, retention, usage.

Every draw is vectorised over all users (or blocks of them), so 50,000 users and over
a million events take seconds. Each concern draws from its own random stream
(``SeedSequence.spawn``), so the same seed gives the same events, and tuning one part
of the model does not reshuffle the others.

The result is a ``Simulation``: per-person arrays (signed-up users first, then
marketing-site visitors who never signed up) and per-event index arrays sorted by
time. ``_encode`` turns slices of it into Arrow batches for the event store. The
stages live in their own modules: the knobs (``_knobs``), the draws (``_draws``),
onboarding with the planted failure and its fix (``_onboarding``), retention and
usage (``_usage``); this one decides who signs up and who they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from fieldnote.demo._catalog import CATALOG, MARKETING_PAGES, Ctx, Kind, utm_table
from fieldnote.demo._draws import (
    DAY,
    NEVER,
    Array,
    Events,
    S,
    desktop_device,
    pick,
    pick_rows,
    time_of_day,
    us,
)
from fieldnote.demo._knobs import (
    ADMIN_BY_SIZE,
    ADMIN_ROLE_BONUS,
    BASE_MIX,
    BROWSE_P,
    CAMPAIGN,
    CAMPAIGN_LIFT,
    CAMPAIGN_WEEKDAY,
    COUNTRY_P,
    GROWTH,
    LANDING_P,
    MOBILE_WEB_VISITORS,
    PAID_SOCIAL,
    PLAN_BY_SIZE,
    PLATFORM_BY_GROUP,
    ROLE_BY_SIZE,
    SIGNUP_WEEKDAY,
    SIZE_P,
    TZ_HOURS,
    VISITORS_PER_SIGNUP,
    WARMUP_DAYS,
)
from fieldnote.demo._onboarding import act_onboarding
from fieldnote.demo._scenario import Scenario
from fieldnote.demo._usage import act_usage

__all__ = ["DAY", "S", "Simulation", "simulate"]


@dataclass(frozen=True)
class Simulation:
    """Indexes only: what happened, to whom, when. Encoding to JSON comes later."""

    scenario: Scenario
    n_users: int  # persons [0, n_users) signed up (in the window or before); then visitors
    # per person
    device: Array  # index into _encode.DEVICES
    platform: Array  # 0 web, 1 ios, 2 android (visitors: 0)
    group: Array  # acquisition group: CHANNELS index, or CAMPAIGN
    channel: Array
    utm: Array  # index into utm_table()[group]
    country: Array
    size: Array
    role: Array
    plan0: Array
    plan_to: Array
    upgrade_ts: Array  # NEVER when the user never upgrades
    signup_method: Array
    signup_ts: Array
    company: Array  # (n_users, 3): adjective, noun, suffix indexes
    user_hex: Array  # (n_users, 8) uint8
    anon_raw: Array  # (persons, 16) uint8
    # per event, sorted by time
    ts: Array  # int64 microseconds since the epoch, UTC
    person: Array
    ctx: Array
    row: Array  # CATALOG row: event name + event-specific properties
    uuid_raw: Array  # (events, 10) uint8: the random part of each UUIDv7

    @property
    def n_events(self) -> int:
        return int(self.ts.shape[0])

    @property
    def n_persons(self) -> int:
        return int(self.platform.shape[0])


def simulate(scenario: Scenario) -> Simulation:
    """Act out ``scenario``: who signs up, how far they get, how long they stay."""
    config = scenario.config
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(8)]
    r_signup, r_attr, r_pre, r_funnel, r_visit, r_usage, r_ids, r_uuid = streams
    n_days = config.days
    start_us = int(config.start_at.timestamp()) * S
    end_us = start_us + n_days * DAY
    # Day d (from -WARMUP_DAYS) is weekday[d + WARMUP_DAYS].
    weekday = np.array(
        [(config.start + timedelta(days=d)).weekday() for d in range(-WARMUP_DAYS, n_days)]
    )
    release_us = int(scenario.release.at.timestamp()) * S
    ev = Events()

    # -- who signs up, when, through which channel --------------------------------------
    # ``users`` sign up inside the window; an earlier cohort (same model, no campaign)
    # signed up during the warm-up, so the window opens on a product already in use.
    t = np.arange(-WARMUP_DAYS, n_days)
    growth = np.exp(np.log(GROWTH) * t / n_days)
    base = growth * SIGNUP_WEEKDAY[weekday] * r_signup.lognormal(0, 0.08, t.shape[0])
    c0, c1 = config.campaign_days
    k = np.arange(c1 - c0)
    ramp = np.minimum(1.0, np.minimum(k + 1, (c1 - c0) - k) / 3)
    campaign = np.zeros(t.shape[0])
    w0, w1 = WARMUP_DAYS + c0, WARMUP_DAYS + c1
    campaign[w0:w1] = (
        CAMPAIGN_LIFT
        * growth[w0:w1]
        * CAMPAIGN_WEEKDAY[weekday[w0:w1]]
        * ramp
        * r_signup.lognormal(0, 0.1, c1 - c0)
    )
    inside = np.concatenate([base[WARMUP_DAYS:], campaign[WARMUP_DAYS:]])
    counts = r_signup.multinomial(config.users, inside / inside.sum())
    cell = np.repeat(np.arange(2 * n_days), counts)
    early = base[:WARMUP_DAYS]
    n_early = round(config.users * early.sum() / inside.sum())
    early_day = np.repeat(
        np.arange(-WARMUP_DAYS, 0), r_signup.multinomial(n_early, early / early.sum())
    )
    day = np.concatenate([cell % n_days, early_day])
    in_campaign = np.concatenate([cell >= n_days, np.zeros(n_early, bool)])
    n = int(day.shape[0])
    group = np.where(in_campaign, CAMPAIGN, pick(r_attr, n, BASE_MIX))
    channel = np.where(in_campaign, PAID_SOCIAL, group)

    # -- who they are ------------------------------------------------------------------
    platform = pick_rows(r_attr, PLATFORM_BY_GROUP, group)
    mobile = platform > 0
    country = pick(r_attr, n, COUNTRY_P)
    size = pick(r_attr, n, SIZE_P)
    role = pick_rows(r_attr, ROLE_BY_SIZE, size)
    plan0 = pick_rows(r_attr, PLAN_BY_SIZE, size)
    p_admin = np.clip(ADMIN_BY_SIZE[size] + ADMIN_ROLE_BONUS[role], 0.02, 0.95)
    admin = r_attr.random(n) < p_admin
    signup_method = pick(r_attr, n, np.array([0.55, 0.35, 0.10]))
    utm_rows = utm_table()
    utm_p = np.zeros((len(utm_rows), max(len(r) for r in utm_rows)))
    for g, rows in enumerate(utm_rows):
        utm_p[g, : len(rows)] = [r[4] for r in rows]
    utm = pick_rows(r_attr, utm_p, group)
    desktop = desktop_device(r_attr, n)
    device = np.where(platform == 0, desktop, np.where(platform == 1, 16, 17))
    company = np.stack(
        [r_attr.integers(0, 48, n), r_attr.integers(0, 48, n), r_attr.integers(0, 8, n)], axis=1
    )
    tz = TZ_HOURS[country]
    signup_ts = start_us + day * DAY + time_of_day(r_attr, tz)
    users = np.arange(n)

    # -- before signup: the marketing site (web) or the app's welcome screens (mobile) --
    web_u = users[~mobile]
    lag = np.where(
        r_pre.random(web_u.shape[0]) < 0.55,
        0,
        np.minimum(r_pre.geometric(0.3, web_u.shape[0]), 14),
    )
    land = signup_ts[web_u] - lag * DAY - us(300 + r_pre.exponential(1500, lag.shape))
    ev.add(
        land,
        web_u,
        Ctx.LANDING,
        CATALOG.row(Kind.MKT_PAGEVIEW, pick(r_pre, web_u.shape[0], LANDING_P)),
    )
    extra = np.repeat(np.arange(web_u.shape[0]), r_pre.poisson(1.3, web_u.shape[0]))
    ev.add(
        land[extra] + us(r_pre.uniform(20, 900, extra.shape)),
        web_u[extra],
        Ctx.ANON,
        CATALOG.row(Kind.MKT_PAGEVIEW, pick(r_pre, extra.shape[0], BROWSE_P)),
    )
    ev.add(
        signup_ts[web_u] - us(r_pre.uniform(15, 120, web_u.shape)),
        web_u,
        Ctx.ANON,
        CATALOG.row(Kind.MKT_PAGEVIEW, len(MARKETING_PAGES)),  # /signup
    )
    mob_u = users[mobile]
    install = signup_ts[mob_u] - us(90 + r_pre.exponential(240, mob_u.shape))
    ev.add(install, mob_u, Ctx.ANON, CATALOG.row(Kind.INSTALL))
    ev.add(
        install + us(r_pre.uniform(2, 10, mob_u.shape)),
        mob_u,
        Ctx.ANON,
        CATALOG.row(Kind.PRE_SCREEN, 0),
    )
    ev.add(
        signup_ts[mob_u] - us(r_pre.uniform(10, 60, mob_u.shape)),
        mob_u,
        Ctx.ANON,
        CATALOG.row(Kind.PRE_SCREEN, 1),
    )

    # -- onboarding funnel (with the planted failure), then retention and usage ---------
    fix = scenario.fix
    onb = act_onboarding(
        r_funnel,
        ev,
        signup_ts=signup_ts,
        group=group,
        mobile=mobile,
        admin=admin,
        plan0=plan0,
        release_us=release_us,
        fix_us=NEVER if fix is None else int(fix.at.timestamp()) * S,
    )
    plans = act_usage(
        r_usage,
        ev,
        onb,
        signup_ts=signup_ts,
        group=group,
        plan0=plan0,
        platform=platform,
        tz=tz,
        weekday=weekday,
        start_us=start_us,
        n_days=n_days,
    )
    plan_to, upgrade_ts = plans.plan_to, plans.upgrade_ts

    # -- visitors who never sign up ----------------------------------------------------
    rv = r_visit
    tmpl = np.repeat(users, rv.poisson(VISITORS_PER_SIGNUP[group]) * (day >= 0))
    nv = tmpl.shape[0]
    vis = n + np.arange(nv)
    v_group = group[tmpl]
    v_country = pick(rv, nv, COUNTRY_P)
    v_mobile = rv.random(nv) < MOBILE_WEB_VISITORS[v_group]
    v_device = np.where(v_mobile, 18 + (rv.random(nv) < 0.45), desktop_device(rv, nv))
    v_land = start_us + day[tmpl] * DAY + time_of_day(rv, TZ_HOURS[v_country])
    ev.add(v_land, vis, Ctx.LANDING, CATALOG.row(Kind.MKT_PAGEVIEW, pick(rv, nv, LANDING_P)))
    more = np.repeat(np.arange(nv), rv.poisson(0.7, nv))
    browse = np.append(BROWSE_P, 0.08)  # some reach /signup and leave
    ev.add(
        v_land[more] + us(rv.uniform(15, 600, more.shape)),
        vis[more],
        Ctx.ANON,
        CATALOG.row(Kind.MKT_PAGEVIEW, pick(rv, more.shape[0], browse)),
    )

    # Users from the warm-up cohort log in again: their first event in the window comes
    # with an ``$identify`` (and ``$set``), as apps identify on every login.
    ts, person, ctx, row = ev.build(start_us, end_us)
    people, first = np.unique(person, return_index=True)
    again = (people < n) & (signup_ts[np.minimum(people, n - 1)] < start_us)
    ev.add(
        np.maximum(ts[first[again]] - S, start_us),
        people[again],
        Ctx.IDENTIFY,
        CATALOG.row(Kind.IDENTIFY),
    )
    ts, person, ctx, row = ev.build(start_us, end_us)
    n_persons = n + nv
    return Simulation(
        scenario=scenario,
        n_users=n,
        device=np.concatenate([device, v_device]),
        platform=np.concatenate([platform, np.zeros(nv, np.int64)]),
        group=np.concatenate([group, v_group]),
        channel=np.concatenate([channel, np.where(v_group == CAMPAIGN, PAID_SOCIAL, v_group)]),
        utm=np.concatenate([utm, pick_rows(rv, utm_p, v_group)]),
        country=np.concatenate([country, v_country]),
        size=size,
        role=role,
        plan0=plan0,
        plan_to=plan_to,
        upgrade_ts=upgrade_ts,
        signup_method=signup_method,
        signup_ts=signup_ts,
        company=company,
        user_hex=r_ids.integers(0, 256, (n, 8), dtype=np.uint8),
        anon_raw=r_ids.integers(0, 256, (n_persons, 16), dtype=np.uint8),
        ts=ts,
        person=person,
        ctx=ctx,
        row=row,
        uuid_raw=r_uuid.integers(0, 256, (ts.shape[0], 10), dtype=np.uint8),
    )
