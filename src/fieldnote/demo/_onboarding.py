"""The onboarding funnel, acted out: signup to activation, with the planted failure.

After the planted release, mobile users who are not admins of the tool they connect
fail with ``admin_access_required`` (1-3 attempts) and almost never connect; web users
who are not admins request approval and carry on. From the fix release on (when the
scenario has one), the mobile apps get the same approval path and recover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fieldnote.demo._catalog import ADMIN_FAILURE, CATALOG, Ctx, Kind, failure_variant
from fieldnote.demo._draws import Array, Events, S, pick, ranks, us
from fieldnote.demo._knobs import INTEGRATION_P, INTENT

__all__ = ["Onboarding", "act_onboarding"]


@dataclass(frozen=True)
class Onboarding:
    """How far each signed-up user got (per-user arrays, signup order)."""

    connected: Array
    activated: Array
    t_act: Array


def act_onboarding(
    rf: np.random.Generator,
    ev: Events,
    *,
    signup_ts: Array,
    group: Array,
    mobile: Array,
    admin: Array,
    plan0: Array,
    release_us: int,
    fix_us: int,
) -> Onboarding:
    """Add every onboarding event to ``ev``; ``fix_us`` is ``NEVER`` without a fix."""
    n = int(signup_ts.shape[0])
    users = np.arange(n)
    intent = INTENT[group]
    ev.add(signup_ts - us(0.2), users, Ctx.IDENTIFY, CATALOG.row(Kind.IDENTIFY))
    ev.add(signup_ts, users, Ctx.SIGNUP, CATALOG.row(Kind.SIGNUP))
    onboarded = rf.random(n) < np.clip(0.94 * intent**0.5, 0, 0.99)
    t_onb = signup_ts + us(10 + rf.exponential(40, n))
    ws = onboarded & (
        rf.random(n) < np.clip(0.88 * intent**0.7 * np.where(mobile, 0.97, 1), 0, 0.99)
    )
    t_ws = t_onb + us(20 + rf.exponential(120, n))
    viewed = ws & (rf.random(n) < np.clip(0.93 * intent**0.3, 0, 0.99))
    t_view = t_ws + us(5 + rf.exponential(60, n))
    ev.add(t_onb[onboarded], users[onboarded], Ctx.APP, CATALOG.row(Kind.ONBOARDING))
    ev.add(
        t_ws[ws],
        users[ws],
        Ctx.APP,
        CATALOG.row(Kind.WORKSPACE, pick(rf, int(ws.sum()), np.array([0.4, 0.15, 0.15, 0.2, 0.1]))),
    )
    ev.add(t_view[viewed], users[viewed], Ctx.APP, CATALOG.row(Kind.STEP_VIEWED))

    # The planted problem: after the release, mobile non-admins cannot connect, until
    # the fix gives the mobile apps the web's "request approval from your admin" path.
    after = t_view >= release_us
    fixed = t_view >= fix_us
    blocked = viewed & mobile & after & ~fixed & ~admin
    # web (and mobile once fixed): request approval, carry on
    needs_approval = viewed & (~mobile | fixed) & after & ~admin
    p_connect = np.clip(np.where(mobile, 0.70, 0.76) * intent**0.3, 0, 0.97)
    p_connect = np.where(blocked, 0.03, p_connect)
    connected = viewed & (rf.random(n) < p_connect)
    integration = pick(rf, n, INTEGRATION_P)
    late = (rf.random(n) < 0.15) | blocked  # came back another day (blocked: asked an admin)
    t_conn = t_view + np.where(
        late,
        us(rf.uniform(1, 6, n) * 86_400),
        us(30 + rf.exponential(180, n)),
    )
    approval = needs_approval & (connected | (rf.random(n) < 0.5))
    t_appr = t_view + us(15 + rf.exponential(40, n))
    t_conn = np.where(needs_approval & ~late, t_appr + us(300 + rf.exponential(5400, n)), t_conn)
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
    t_gen = t_view + us(10 + rf.exponential(60, n))
    t_gen = np.where(connected, np.minimum(t_gen, (t_view + t_conn) // 2), t_gen)
    ev.add(
        t_gen[generic],
        users[generic],
        Ctx.APP,
        CATALOG.row(Kind.FAILED, failure_variant(integration[generic], gen_reason[generic], 1)),
    )
    attempts = 1 + (rf.random(n) < 0.55) + (rf.random(n) < 0.25)
    b_users = np.repeat(users[blocked], attempts[blocked])
    attempt = ranks(attempts[blocked])
    ev.add(
        t_view[b_users] + us(attempt * (8 + rf.exponential(30, b_users.shape))),
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
        us(120 + rf.exponential(900, n)),
        us(rf.uniform(1, 7, n) * 86_400),
    )
    first_report = pick(rf, n, np.array([0.45, 0.3, 0.2, 0.05]))
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
    return Onboarding(connected=connected, activated=activated, t_act=t_act)
