"""The demo model's knobs: rates, mixes and shapes the simulation draws from.

Kept apart from the numpy that uses them (``_simulate``, ``_onboarding``, ``_usage``) so
tuning the story means editing numbers here, not vectorised code.
"""

from __future__ import annotations

import numpy as np

from fieldnote.demo._scenario import CHANNELS

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
