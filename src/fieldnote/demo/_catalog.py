"""The demo product's tracking plan: event names, their property variants, vocabularies.

The simulation only ever picks *indexes* (kind, variant, platform, plan...). Turning an
index into JSON happens once per distinct value here, so a million events are encoded
by gathering precomputed fragments instead of serialising a million dicts; that is
what keeps ``fieldnote demo`` fast. All values are fixed ASCII vocabulary (no personal
data, nothing that needs escaping beyond what ``orjson`` does once).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import orjson
import pyarrow as pa

from fieldnote.demo._scenario import ERROR_CODE

__all__ = [
    "CATALOG",
    "Catalog",
    "Ctx",
    "Kind",
    "fragment",
]

MARKETING_HOST = "pulseboard.example"
APP_HOST = "app.pulseboard.example"

MARKETING_PAGES = (
    "/",
    "/pricing",
    "/features",
    "/integrations",
    "/customers",
    "/blog/kpi-dashboards",
)
SIGNUP_PAGE = "/signup"
APP_PAGES = (
    ("/home", "Home"),
    ("/dashboards", "Dashboards"),
    ("/reports", "Reports"),
    ("/integrations", "Integrations"),
    ("/settings", "Settings"),
)
PRE_SIGNUP_SCREENS = ("Welcome", "Sign up")
WORKSPACE_TEMPLATES = ("blank", "sales", "marketing", "product", "finance")
INTEGRATIONS = ("slack", "google_sheets", "hubspot", "salesforce", "stripe", "postgres")
#: reason, error_code. The last one is the planted failure.
FAILURES = (
    ("oauth_cancelled", "INT_401_OAUTH_CANCELLED"),
    ("timeout", "INT_504_TIMEOUT"),
    ("invalid_credentials", "INT_400_BAD_CREDENTIALS"),
    ("admin_access_required", ERROR_CODE),
)
ADMIN_FAILURE = len(FAILURES) - 1
MAX_ATTEMPTS = 3
REPORT_TYPES = ("chart", "table", "kpi", "cohort")
DASHBOARDS = ("Overview", "Revenue", "Pipeline", "Marketing", "Support")
INVITE_ROLES = ("member", "viewer", "admin")
EXPORT_FORMATS = ("csv", "pdf", "png")
PLANS = ("free", "starter", "pro", "business")
APP_VERSIONS = ("2.2.4", "2.3.0", "2.4.0", "2.4.1")  # before, then after each release

COUNTRIES = ("US", "GB", "DE", "FR", "CA", "IN", "BR", "AU", "NL", "ES", "JP")
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
ROLES = ("founder", "product_manager", "engineer", "analyst", "marketer", "executive", "other")
SIGNUP_METHODS = ("email", "google", "microsoft")
DESKTOP_OS = ("Mac OS X", "Windows", "Linux", "Chrome OS")
DESKTOP_BROWSERS = ("Chrome", "Safari", "Firefox", "Microsoft Edge")


class Ctx(IntEnum):
    """Which person-level properties an event carries (and under which distinct_id)."""

    ANON = 0  # before signup: the anonymous distinct_id, device properties only
    LANDING = 1  # first marketing-site pageview: + utm / referrer
    APP = 2  # signed in: user id, + platform, channel, country, plan, app_version
    SIGNUP = 3  # APP + utm + signup_method
    IDENTIFY = 4  # APP + $anon_distinct_id, $set, $set_once


class Kind(IntEnum):
    MKT_PAGEVIEW = 0
    APP_PAGEVIEW = 1
    APP_SCREEN = 2
    PRE_SCREEN = 3
    INSTALL = 4
    SIGNUP = 5
    IDENTIFY = 6
    ONBOARDING = 7
    WORKSPACE = 8
    STEP_VIEWED = 9
    FAILED = 10
    APPROVAL = 11
    CONNECT = 12
    ACTIVATED = 13
    REPORT = 14
    DASHBOARD = 15
    INVITE = 16
    EXPORT = 17
    UPGRADE = 18


def fragment(props: dict[str, Any]) -> str:
    """``,"k":v,...`` — a JSON object's members with a leading comma ("" when empty)."""
    if not props:
        return ""
    return "," + orjson.dumps(props).decode()[1:-1]


def _failure_variants() -> list[dict[str, Any]]:
    out = []
    for integration in INTEGRATIONS:
        for reason, code in FAILURES:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                out.append(
                    {
                        "integration": integration,
                        "reason": reason,
                        "error_code": code,
                        "attempt": attempt,
                    }
                )
    return out


def failure_variant(integration: Any, failure: Any, attempt: Any) -> Any:
    """Variant index of ``integration_failed`` (works on numpy arrays; attempt is 1-based)."""
    return (integration * len(FAILURES) + failure) * MAX_ATTEMPTS + (attempt - 1)


def _variants() -> dict[Kind, tuple[str, list[dict[str, Any]]]]:
    mkt = [*MARKETING_PAGES, SIGNUP_PAGE]
    return {
        Kind.MKT_PAGEVIEW: (
            "$pageview",
            [
                {
                    "$current_url": f"https://{MARKETING_HOST}{p}",
                    "$host": MARKETING_HOST,
                    "$pathname": p,
                }
                for p in mkt
            ],
        ),
        Kind.APP_PAGEVIEW: (
            "$pageview",
            [
                {"$current_url": f"https://{APP_HOST}{p}", "$host": APP_HOST, "$pathname": p}
                for p, _ in APP_PAGES
            ],
        ),
        Kind.APP_SCREEN: ("$screen", [{"$screen_name": s} for _, s in APP_PAGES]),
        Kind.PRE_SCREEN: ("$screen", [{"$screen_name": s} for s in PRE_SIGNUP_SCREENS]),
        Kind.INSTALL: ("Application Installed", [{}]),
        Kind.SIGNUP: ("signup", [{}]),
        Kind.IDENTIFY: ("$identify", [{}]),
        Kind.ONBOARDING: ("onboarding_started", [{"onboarding_step": 2, "step_name": "welcome"}]),
        Kind.WORKSPACE: (
            "workspace_created",
            [
                {"onboarding_step": 3, "step_name": "workspace", "template": t}
                for t in WORKSPACE_TEMPLATES
            ],
        ),
        Kind.STEP_VIEWED: (
            "integration_step_viewed",
            [{"onboarding_step": 4, "step_name": "connect_data"}],
        ),
        Kind.FAILED: ("integration_failed", _failure_variants()),
        Kind.APPROVAL: ("admin_approval_requested", [{"integration": i} for i in INTEGRATIONS]),
        Kind.CONNECT: (
            "connect_integration",
            [{"integration": i, "onboarding_step": 4} for i in INTEGRATIONS],
        ),
        Kind.ACTIVATED: ("activated", [{"first_report_type": t} for t in REPORT_TYPES]),
        Kind.REPORT: ("report_created", [{"report_type": t} for t in REPORT_TYPES]),
        Kind.DASHBOARD: ("dashboard_viewed", [{"dashboard": d} for d in DASHBOARDS]),
        Kind.INVITE: ("teammate_invited", [{"invitee_role": r} for r in INVITE_ROLES]),
        Kind.EXPORT: ("export_clicked", [{"format": f} for f in EXPORT_FORMATS]),
        Kind.UPGRADE: (
            "plan_upgraded",
            [{"from_plan": a, "to_plan": b, "$set": {"plan": b}} for a in PLANS for b in PLANS],
        ),
    }


@dataclass(frozen=True)
class Catalog:
    """Every (event, variant) as one row: ``base[kind] + variant`` indexes the arrays."""

    base: tuple[int, ...]
    names: pa.Array  # event name per row
    fragments: pa.Array  # event-specific property fragment per row
    plan_fragments: pa.Array  # index 0: none (anonymous), then PLANS
    version_fragments: pa.Array  # index 0: none, then APP_VERSIONS

    @classmethod
    def build(cls) -> Catalog:
        base: list[int] = []
        names: list[str] = []
        frags: list[str] = []
        variants = _variants()
        for kind in Kind:
            name, rows = variants[kind]
            base.append(len(names))
            names.extend(name for _ in rows)
            frags.extend(fragment(r) for r in rows)
        return cls(
            base=tuple(base),
            names=pa.array(names, pa.string()),
            fragments=pa.array(frags, pa.string()),
            plan_fragments=pa.array(["", *(fragment({"plan": p}) for p in PLANS)], pa.string()),
            version_fragments=pa.array(
                ["", *(fragment({"app_version": v}) for v in APP_VERSIONS)], pa.string()
            ),
        )

    def row(self, kind: Kind, variant: Any = 0) -> Any:
        return self.base[kind] + variant


CATALOG = Catalog.build()


def utm_table() -> list[list[tuple[str, str, str, str, float]]]:
    """Per acquisition group (CHANNELS, then the campaign): source, medium, campaign,
    referring domain, probability. Direct traffic has no utm and a ``$direct`` referrer."""
    return [
        [  # organic_search
            ("google", "organic", "", "www.google.com", 0.85),
            ("bing", "organic", "", "www.bing.com", 0.10),
            ("duckduckgo", "organic", "", "duckduckgo.com", 0.05),
        ],
        [  # paid_search
            ("google", "cpc", "search_always_on", "www.google.com", 0.8),
            ("bing", "cpc", "search_always_on", "www.bing.com", 0.2),
        ],
        [  # paid_social (always-on)
            ("linkedin", "paid_social", "always_on", "www.linkedin.com", 0.6),
            ("facebook", "paid_social", "always_on", "www.facebook.com", 0.4),
        ],
        [  # social
            ("twitter", "social", "", "t.co", 0.4),
            ("linkedin", "social", "", "www.linkedin.com", 0.45),
            ("reddit", "social", "", "www.reddit.com", 0.15),
        ],
        [  # referral
            ("g2", "referral", "", "www.g2.com", 0.5),
            ("capterra", "referral", "", "www.capterra.com", 0.3),
            ("producthunt", "referral", "", "www.producthunt.com", 0.2),
        ],
        [("newsletter", "email", "weekly_digest", "$direct", 1.0)],  # email
        [("", "", "", "$direct", 1.0)],  # direct
        [  # the campaign (channel paid_social)
            ("facebook", "paid_social", "spring_launch", "www.facebook.com", 0.45),
            ("instagram", "paid_social", "spring_launch", "www.instagram.com", 0.35),
            ("tiktok", "paid_social", "spring_launch", "www.tiktok.com", 0.20),
        ],
    ]


def utm_fragment(source: str, medium: str, campaign: str) -> str:
    props = {}
    if source:
        props["utm_source"] = source
        props["utm_medium"] = medium
    if campaign:
        props["utm_campaign"] = campaign
    return fragment(props)
