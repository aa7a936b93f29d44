"""Acting out the scenario with numpy: people, onboarding, failures, retention, usage.

Every draw is vectorised over all users (or blocks of them), so 50,000 users and over
a million events take seconds. Each concern draws from its own random stream
(``SeedSequence.spawn``), so the same seed gives the same events, and tuning one part
of the model does not reshuffle the others.

The result is a ``Simulation``: per-person arrays (signed-up users first, then
marketing-site visitors who never signed up) and per-event index arrays sorted by
time. ``_encode`` turns slices of it into Arrow batches for the event store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from fieldnote.demo._catalog import (
    ADMIN_FAILURE,
    CATALOG,
    DASHBOARDS,
    EXPORT_FORMATS,
    INVITE_ROLES,
    MARKETING_PAGES,
    PLANS,
    REPORT_TYPES,
    Ctx,
    Kind,
    failure_variant,
    utm_table,
)
from fieldnote.demo._scenario import CHANNELS, Scenario

__all__ = ["Simulation", "simulate"]

Array = np.ndarray
S = 1_000_000  # microseconds per second
DAY = 86_400 * S
NEVER = np.iinfo(np.int64).max

# -- the model's knobs ------------------------------------------------------------------
GROWTH = 1.8  # signups at the end of the window vs the start
SIGNUP_WEEKDAY = np.array([1.0, 1.06, 1.05, 1.0, 0.88, 0.42, 0.47])  # Mon..Sun
CAMPAIGN_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 1.05, 0.9, 0.95])
USAGE_WEEKDAY = np.array([1.0, 1.04, 1.03, 1.0, 0.86, 0.22, 0.25])
WARMUP_DAYS = 60  # users who signed up before the window are already using the product
CAMPAIGN_LIFT = 0.75  # campaign signups per organic signup while it runs at full tilt
CAMPAIGN = len(CHANNELS)  # acquisition group index of the campaign (channel paid_social)
PAID_SOCIAL = CHANNELS.index("paid_social")
BASE_MIX = np.array([0.30, 0.17, 0.08, 0.06, 0.10, 0.09, 0.20])
# Per acquisition group (CHANNELS then the campaign):
INTENT = np.array([1.0, 0.95, 0.8, 0.85, 1.1, 1.05, 1.05, 0.72])
PLATFORM_BY_GROUP = np.array(  # web, ios, android
    [
        [0.78, 0.12, 0.10],
        [0.75, 0.14, 0.11],
        [0.45, 0.32, 0.23],
        [0.55, 0.25, 0.20],
        [0.85, 0.09, 0.06],
        [0.80, 0.12, 0.08],
        [0.72, 0.16, 0.12],
        [0.35, 0.40, 0.25],
    ]
)
EARLY_CHURN = np.array([0.25, 0.30, 0.45, 0.35, 0.18, 0.20, 0.20, 0.50])
VISITORS_PER_SIGNUP = np.array([1.0, 1.3, 2.0, 1.5, 0.6, 0.4, 0.5, 2.5])
MOBILE_WEB_VISITORS = np.array([0.30, 0.35, 0.65, 0.55, 0.20, 0.30, 0.30, 0.75])
COUNTRY_P = np.array([0.38, 0.10, 0.09, 0.06, 0.06, 0.08, 0.06, 0.05, 0.04, 0.04, 0.04])
TZ_HOURS = np.array([-5.0, 0, 1, 1, -5, 5.5, -3, 10, 1, 1, 9])
SIZE_P = np.array([0.30, 0.30, 0.20, 0.12, 0.08])
ROLE_BY_SIZE = np.array(  # founder, pm, engineer, analyst, marketer, executive, other
    [
        [0.40, 0.10, 0.18, 0.07, 0.12, 0.05, 0.08],
        [0.15, 0.22, 0.20, 0.12, 0.15, 0.08, 0.08],
        [0.05, 0.28, 0.20, 0.17, 0.14, 0.08, 0.08],
        [0.02, 0.30, 0.18, 0.22, 0.13, 0.07, 0.08],
        [0.01, 0.30, 0.17, 0.25, 0.12, 0.07, 0.08],
    ]
)
PLAN_BY_SIZE = np.array(  # free, starter, pro, business
    [
        [0.70, 0.18, 0.10, 0.02],
        [0.55, 0.22, 0.18, 0.05],
        [0.45, 0.20, 0.25, 0.10],
        [0.35, 0.15, 0.30, 0.20],
        [0.30, 0.10, 0.30, 0.30],
    ]
)
# Admin of the company's Slack/Google/CRM: likely in small companies and for founders.
ADMIN_BY_SIZE = np.array([0.45, 0.25, 0.12, 0.06, 0.03])
ADMIN_ROLE_BONUS = np.array([0.25, 0.0, 0.05, 0.0, -0.02, 0.15, 0.0])
LIFETIME_DAYS = np.array([40.0, 70.0, 120.0, 200.0])  # by plan, once past early churn
ACTIVE_SHARE = np.array([0.30, 0.38, 0.45, 0.55])  # of weekdays a retained user shows up
UPGRADE_P = np.array([0.10, 0.08, 0.0, 0.0])
UPGRADE_TO = np.array([[0.0, 0.6, 0.4, 0.0], [0.0, 0.0, 0.8, 0.2], [0, 0, 1, 0], [0, 0, 0, 1.0]])
HOURLY = np.array(
    [
        1,
        0.5,
        0.3,
        0.3,
        0.4,
        0.8,
        1.5,
        3,
        5,
        7,
        7.5,
        7,
        6,
        7,
        7.5,
        7,
        6,
        5,
        3.5,
        2.8,
        2.4,
        2,
        1.6,
        1.2,
    ]
)
LANDING_P = np.array([0.45, 0.15, 0.15, 0.10, 0.0, 0.15])  # MARKETING_PAGES
BROWSE_P = np.array([0.10, 0.35, 0.25, 0.15, 0.10, 0.05])
INTEGRATION_P = np.array([0.24, 0.22, 0.16, 0.14, 0.14, 0.10])
APP_PAGE_P = np.array([0.35, 0.30, 0.20, 0.05, 0.10])


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


class _Events:
    """Append-only event columns; ``build`` drops what falls outside the window."""

    def __init__(self) -> None:
        self.parts: list[tuple[Array, Array, Array, Array]] = []

    def add(self, ts: Array, person: Array, ctx: Ctx | Array, row: int | Array) -> None:
        n = ts.shape[0]
        self.parts.append(
            (
                ts.astype(np.int64),
                person.astype(np.int32),
                np.broadcast_to(np.asarray(ctx, np.int8), (n,)),
                np.broadcast_to(np.asarray(row, np.int32), (n,)),
            )
        )

    def build(self, lo: int, hi: int) -> tuple[Array, Array, Array, Array]:
        ts, person, ctx, row = (np.concatenate([p[i] for p in self.parts]) for i in range(4))
        keep = (ts >= lo) & (ts < hi)
        ts, person, ctx, row = ts[keep], person[keep], ctx[keep], row[keep]
        order = np.argsort(ts, kind="stable")
        return ts[order], person[order], ctx[order], row[order]


def _pick(rng: np.random.Generator, n: int, p: Array) -> Array:
    p = np.asarray(p, float)
    return rng.choice(p.shape[0], size=n, p=p / p.sum())


def _pick_rows(rng: np.random.Generator, table: Array, rows: Array) -> Array:
    """One categorical draw per element, from the probability row ``table[rows[i]]``."""
    cdf = np.cumsum(np.asarray(table, float), axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(size=int(rows.shape[0]))
    return np.asarray((u[:, None] > cdf[rows]).sum(axis=1))


def _us(seconds: Array | float) -> Array:
    """Seconds (float) to integer microseconds, the event store's resolution."""
    return (np.asarray(seconds) * S).astype(np.int64)


def _ranks(counts: Array) -> Array:
    """1, 2, ... within each run of ``np.repeat(x, counts)``."""
    total = int(counts.sum())
    return np.asarray(np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + 1)


def _time_of_day(rng: np.random.Generator, tz_hours: Array) -> Array:
    """Microseconds into the UTC day for activity at a local business-hours rhythm."""
    n = tz_hours.shape[0]
    local = _pick(rng, n, HOURLY) * 3600 + rng.random(n) * 3600
    return _us((local - tz_hours * 3600) % 86_400)


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
    ev = _Events()

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
    group = np.where(in_campaign, CAMPAIGN, _pick(r_attr, n, BASE_MIX))
    channel = np.where(in_campaign, PAID_SOCIAL, group)

    # -- who they are ------------------------------------------------------------------
    platform = _pick_rows(r_attr, PLATFORM_BY_GROUP, group)
    mobile = platform > 0
    country = _pick(r_attr, n, COUNTRY_P)
    size = _pick(r_attr, n, SIZE_P)
    role = _pick_rows(r_attr, ROLE_BY_SIZE, size)
    plan0 = _pick_rows(r_attr, PLAN_BY_SIZE, size)
    p_admin = np.clip(ADMIN_BY_SIZE[size] + ADMIN_ROLE_BONUS[role], 0.02, 0.95)
    admin = r_attr.random(n) < p_admin
    signup_method = _pick(r_attr, n, np.array([0.55, 0.35, 0.10]))
    utm_rows = utm_table()
    utm_p = np.zeros((len(utm_rows), max(len(r) for r in utm_rows)))
    for g, rows in enumerate(utm_rows):
        utm_p[g, : len(rows)] = [r[4] for r in rows]
    utm = _pick_rows(r_attr, utm_p, group)
    desktop_device = _desktop_device(r_attr, n)
    device = np.where(platform == 0, desktop_device, np.where(platform == 1, 16, 17))
    company = np.stack(
        [r_attr.integers(0, 48, n), r_attr.integers(0, 48, n), r_attr.integers(0, 8, n)], axis=1
    )
    tz = TZ_HOURS[country]
    signup_ts = start_us + day * DAY + _time_of_day(r_attr, tz)
    users = np.arange(n)

    # -- before signup: the marketing site (web) or the app's welcome screens (mobile) --
    web_u = users[~mobile]
    lag = np.where(
        r_pre.random(web_u.shape[0]) < 0.55,
        0,
        np.minimum(r_pre.geometric(0.3, web_u.shape[0]), 14),
    )
    land = signup_ts[web_u] - lag * DAY - _us(300 + r_pre.exponential(1500, lag.shape))
    ev.add(
        land,
        web_u,
        Ctx.LANDING,
        CATALOG.row(Kind.MKT_PAGEVIEW, _pick(r_pre, web_u.shape[0], LANDING_P)),
    )
    extra = np.repeat(np.arange(web_u.shape[0]), r_pre.poisson(1.3, web_u.shape[0]))
    ev.add(
        land[extra] + _us(r_pre.uniform(20, 900, extra.shape)),
        web_u[extra],
        Ctx.ANON,
        CATALOG.row(Kind.MKT_PAGEVIEW, _pick(r_pre, extra.shape[0], BROWSE_P)),
    )
    ev.add(
        signup_ts[web_u] - _us(r_pre.uniform(15, 120, web_u.shape)),
        web_u,
        Ctx.ANON,
        CATALOG.row(Kind.MKT_PAGEVIEW, len(MARKETING_PAGES)),  # /signup
    )
    mob_u = users[mobile]
    install = signup_ts[mob_u] - _us(90 + r_pre.exponential(240, mob_u.shape))
    ev.add(install, mob_u, Ctx.ANON, CATALOG.row(Kind.INSTALL))
    ev.add(
        install + _us(r_pre.uniform(2, 10, mob_u.shape)),
        mob_u,
        Ctx.ANON,
        CATALOG.row(Kind.PRE_SCREEN, 0),
    )
    ev.add(
        signup_ts[mob_u] - _us(r_pre.uniform(10, 60, mob_u.shape)),
        mob_u,
        Ctx.ANON,
        CATALOG.row(Kind.PRE_SCREEN, 1),
    )

    # -- onboarding funnel -------------------------------------------------------------
    rf = r_funnel
    intent = INTENT[group]
    ev.add(signup_ts - _us(0.2), users, Ctx.IDENTIFY, CATALOG.row(Kind.IDENTIFY))
    ev.add(signup_ts, users, Ctx.SIGNUP, CATALOG.row(Kind.SIGNUP))
    onboarded = rf.random(n) < np.clip(0.94 * intent**0.5, 0, 0.99)
    t_onb = signup_ts + _us(10 + rf.exponential(40, n))
    ws = onboarded & (
        rf.random(n) < np.clip(0.88 * intent**0.7 * np.where(mobile, 0.97, 1), 0, 0.99)
    )
    t_ws = t_onb + _us(20 + rf.exponential(120, n))
    viewed = ws & (rf.random(n) < np.clip(0.93 * intent**0.3, 0, 0.99))
    t_view = t_ws + _us(5 + rf.exponential(60, n))
    ev.add(t_onb[onboarded], users[onboarded], Ctx.APP, CATALOG.row(Kind.ONBOARDING))
    ev.add(
        t_ws[ws],
        users[ws],
        Ctx.APP,
        CATALOG.row(
            Kind.WORKSPACE, _pick(rf, int(ws.sum()), np.array([0.4, 0.15, 0.15, 0.2, 0.1]))
        ),
    )
    ev.add(t_view[viewed], users[viewed], Ctx.APP, CATALOG.row(Kind.STEP_VIEWED))

    # The planted problem: after the release, mobile non-admins cannot connect.
    after = t_view >= release_us
    blocked = viewed & mobile & after & ~admin
    needs_approval = viewed & ~mobile & after & ~admin  # web: request approval, carry on
    p_connect = np.clip(np.where(mobile, 0.70, 0.76) * intent**0.3, 0, 0.97)
    p_connect = np.where(blocked, 0.03, p_connect)
    connected = viewed & (rf.random(n) < p_connect)
    integration = _pick(rf, n, INTEGRATION_P)
    late = (rf.random(n) < 0.15) | blocked  # came back another day (blocked: asked an admin)
    t_conn = t_view + np.where(
        late,
        _us(rf.uniform(1, 6, n) * 86_400),
        _us(30 + rf.exponential(180, n)),
    )
    approval = needs_approval & (connected | (rf.random(n) < 0.5))
    t_appr = t_view + _us(15 + rf.exponential(40, n))
    t_conn = np.where(needs_approval & ~late, t_appr + _us(300 + rf.exponential(5400, n)), t_conn)
    ev.add(
        t_appr[approval],
        users[approval],
        Ctx.APP,
        CATALOG.row(Kind.APPROVAL, integration[approval]),
    )

    # Failures: occasional generic ones (retry then succeed, or give up); the planted one
    # repeats 1-3 times for every blocked user.
    generic = viewed & ~blocked & (rf.random(n) < np.where(connected, 0.12, 0.35))
    gen_reason = rf.integers(0, ADMIN_FAILURE, n)
    t_gen = t_view + _us(10 + rf.exponential(60, n))
    t_gen = np.where(connected, np.minimum(t_gen, (t_view + t_conn) // 2), t_gen)
    ev.add(
        t_gen[generic],
        users[generic],
        Ctx.APP,
        CATALOG.row(Kind.FAILED, failure_variant(integration[generic], gen_reason[generic], 1)),
    )
    attempts = 1 + (rf.random(n) < 0.55) + (rf.random(n) < 0.25)
    b_users = np.repeat(users[blocked], attempts[blocked])
    attempt = _ranks(attempts[blocked])
    ev.add(
        t_view[b_users] + _us(attempt * (8 + rf.exponential(30, b_users.shape))),
        b_users,
        Ctx.APP,
        CATALOG.row(Kind.FAILED, failure_variant(integration[b_users], ADMIN_FAILURE, attempt)),
    )
    ev.add(
        t_conn[connected],
        users[connected],
        Ctx.APP,
        CATALOG.row(Kind.CONNECT, integration[connected]),
    )

    activated = connected & (
        rf.random(n) < np.clip(0.82 * intent**0.5 * (1 + 0.05 * (plan0 == 3)), 0, 0.97)
    )
    t_act = t_conn + np.where(
        rf.random(n) < 0.7,
        _us(120 + rf.exponential(900, n)),
        _us(rf.uniform(1, 7, n) * 86_400),
    )
    first_report = _pick(rf, n, np.array([0.45, 0.3, 0.2, 0.05]))
    ev.add(
        t_act[activated],
        users[activated],
        Ctx.APP,
        CATALOG.row(Kind.ACTIVATED, first_report[activated]),
    )
    ev.add(
        t_act[activated] + S,
        users[activated],
        Ctx.APP,
        CATALOG.row(Kind.REPORT, first_report[activated]),
    )

    # -- retention and usage -------------------------------------------------------------
    ru = r_usage
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
    plan_to = np.where(up, _pick_rows(ru, UPGRADE_TO, plan0), plan0)
    upgrade_ts = np.where(up, t_act + _us(ru.uniform(0, 1, n) * lifetime * 86_400), NEVER)
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
        _usage(ru, ev, blk[ui], d[ui, oi], start_us, tz, platform, active_user)

    # -- visitors who never sign up ----------------------------------------------------
    rv = r_visit
    tmpl = np.repeat(users, rv.poisson(VISITORS_PER_SIGNUP[group]) * (day >= 0))
    nv = tmpl.shape[0]
    vis = n + np.arange(nv)
    v_group = group[tmpl]
    v_country = _pick(rv, nv, COUNTRY_P)
    v_mobile = rv.random(nv) < MOBILE_WEB_VISITORS[v_group]
    v_device = np.where(v_mobile, 18 + (rv.random(nv) < 0.45), _desktop_device(rv, nv))
    v_land = start_us + day[tmpl] * DAY + _time_of_day(rv, TZ_HOURS[v_country])
    ev.add(v_land, vis, Ctx.LANDING, CATALOG.row(Kind.MKT_PAGEVIEW, _pick(rv, nv, LANDING_P)))
    more = np.repeat(np.arange(nv), rv.poisson(0.7, nv))
    browse = np.append(BROWSE_P, 0.08)  # some reach /signup and leave
    ev.add(
        v_land[more] + _us(rv.uniform(15, 600, more.shape)),
        vis[more],
        Ctx.ANON,
        CATALOG.row(Kind.MKT_PAGEVIEW, _pick(rv, more.shape[0], browse)),
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
        utm=np.concatenate([utm, _pick_rows(rv, utm_p, v_group)]),
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


def _desktop_device(rng: np.random.Generator, n: int) -> Array:
    """Index into the 16 desktop (os, browser) pairs; Safari only on macOS."""
    os_ = _pick(rng, n, np.array([0.45, 0.45, 0.05, 0.05]))
    browser = _pick(rng, n, np.array([0.65, 0.15, 0.08, 0.12]))
    browser = np.where((browser == 1) & (os_ != 0), 0, browser)
    return np.asarray(os_ * 4 + browser)


def _usage(
    rng: np.random.Generator,
    ev: _Events,
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
    s_start = start_us + np.repeat(day, sessions) * DAY + _time_of_day(rng, tz[s_user])
    s_len = _us(60 + rng.exponential(900, s_user.shape))
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
    page = _pick(rng, idx.shape[0], APP_PAGE_P)
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
        ev.add(ts, s_user[idx], Ctx.APP, CATALOG.row(kind, _pick(rng, idx.shape[0], p)))
