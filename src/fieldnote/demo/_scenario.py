"""The story the demo tells: a B2B analytics SaaS ("Pulseboard") and what happens to it.

Everything here is *the plot*, kept apart from the numpy that acts it out
(``_simulate``), so a reader can check the planted problem and the confounder without
reading any vectorised code, and later features (funnels, change decomposition,
monitors, recruiting) can name the same steps and release.

The plot, over ``days`` days (90 by default):

* signups grow ~80 % over the window, with weekday/weekend seasonality and noise;
* onboarding: ``signup`` → ``onboarding_started`` → ``workspace_created`` →
  ``integration_step_viewed`` → ``connect_integration`` → ``activated`` (first report),
  then ongoing usage whose retention differs by plan and channel;
* a harmless release 2.3.0 a third of the way in (a negative control);
* **the planted problem**: release 2.4.0 two thirds of the way in (day 60 of 90)
  moves integrations to an org-wide install that needs an admin of the connected
  tool. The web app falls back to "request approval from your admin"; the iOS and
  Android apps have no fallback, so mobile users who are not admins fail with
  ``integration_failed`` ``reason=admin_access_required`` and never connect;
* **the fix**: release 2.4.1, halfway between the planted release and the end of the
  window (day 75 of 90), gives the mobile apps the web's "request approval" path, so
  the mobile integration step recovers: what a follow-up release verdict should show;
* **the confounder**: a paid-social campaign (``spring_launch``) starts four days
  before that release and runs for ~three weeks. It brings low-intent, mostly mobile
  signups that convert worse at every step, so a naive before/after comparison mixes
  a channel-mix shift with the real (platform-specific) drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = [
    "CHANNELS",
    "DEFAULT_DAYS",
    "DEFAULT_SEED",
    "DEFAULT_USERS",
    "DEMO_PROJECT",
    "FUNNEL_STEPS",
    "PLATFORMS",
    "Campaign",
    "DemoConfig",
    "PlantedProblem",
    "Release",
    "Scenario",
    "scenario_for",
]

DEMO_PROJECT = "demo"
DEFAULT_USERS = 50_000
DEFAULT_DAYS = 90
DEFAULT_SEED = 42

#: The product's onboarding funnel, in order (event names as stored).
FUNNEL_STEPS = (
    "signup",
    "onboarding_started",
    "workspace_created",
    "integration_step_viewed",
    "connect_integration",
    "activated",
)

PLATFORMS = ("web", "ios", "android")
MOBILE_PLATFORMS = ("ios", "android")

#: Acquisition channels. ``paid_social`` also carries the campaign's signups.
CHANNELS = (
    "organic_search",
    "paid_search",
    "paid_social",
    "social",
    "referral",
    "email",
    "direct",
)


@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    """What to generate. Same config (seed and start included) → identical events."""

    users: int = DEFAULT_USERS
    days: int = DEFAULT_DAYS
    seed: int = DEFAULT_SEED
    start: date
    project: str = DEMO_PROJECT

    def __post_init__(self) -> None:
        if self.users < 100:
            raise ValueError("the demo needs at least 100 users")
        if not 21 <= self.days <= 730:
            raise ValueError("the demo spans between 21 and 730 days")

    @property
    def start_at(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """Exclusive end of the window: every event is before it."""
        return self.start_at + timedelta(days=self.days)

    @property
    def release_day(self) -> int:
        """Day (0-based) of the planted release: 60 for a 90-day demo."""
        return self.days * 2 // 3

    @property
    def fix_release_day(self) -> int:
        """Day of the release that fixes the planted problem: 75 for a 90-day demo."""
        return self.release_day + (self.days - self.release_day) // 2

    @property
    def control_release_day(self) -> int:
        return self.days // 3

    @property
    def campaign_days(self) -> tuple[int, int]:
        """[first, end) days of the paid-social campaign: it straddles the release."""
        return self.release_day - 4, min(self.days, self.release_day + 18)


@dataclass(frozen=True, kw_only=True)
class Release:
    """A shipped change, as it would appear in a changelog (events carry ``app_version``)."""

    version: str
    at: datetime
    title: str
    description: str
    planted_problem: bool = False
    fixes_problem: bool = False

    def day(self, config: DemoConfig) -> int:
        return (self.at - config.start_at).days


@dataclass(frozen=True, kw_only=True)
class Campaign:
    """The marketing push whose traffic mix confounds a naive before/after comparison."""

    name: str
    channel: str
    utm_medium: str
    utm_sources: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    description: str


@dataclass(frozen=True, kw_only=True)
class PlantedProblem:
    """What analytics should find, stated once so tests and docs agree."""

    summary: str
    release_version: str
    affected_platforms: tuple[str, ...]
    unaffected_platforms: tuple[str, ...]
    step_from: str
    step_to: str
    failure_event: str
    failure_reason: str
    error_code: str
    root_cause: str


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """The config plus the dated plot it produces (stored beside the demo's events)."""

    config: DemoConfig
    product: str
    releases: tuple[Release, ...]
    campaign: Campaign
    planted: PlantedProblem
    funnel: tuple[str, ...] = FUNNEL_STEPS
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def release(self) -> Release:
        """The release that plants the problem."""
        return next(r for r in self.releases if r.planted_problem)

    @property
    def fix(self) -> Release | None:
        """The release that fixes the planted problem (demos stored before it had none)."""
        return next((r for r in self.releases if r.fixes_problem), None)

    def to_json(self) -> dict[str, Any]:
        c = self.config
        return {
            "config": {
                "users": c.users,
                "days": c.days,
                "seed": c.seed,
                "start": c.start.isoformat(),
                "project": c.project,
            },
            "product": self.product,
            "releases": [
                {
                    "version": r.version,
                    "at": r.at.isoformat(),
                    "day": r.day(c),
                    "title": r.title,
                    "description": r.description,
                    "planted_problem": r.planted_problem,
                    "fixes_problem": r.fixes_problem,
                }
                for r in self.releases
            ],
            "campaign": {
                "name": self.campaign.name,
                "channel": self.campaign.channel,
                "utm_medium": self.campaign.utm_medium,
                "utm_sources": list(self.campaign.utm_sources),
                "starts_at": self.campaign.starts_at.isoformat(),
                "ends_at": self.campaign.ends_at.isoformat(),
                "description": self.campaign.description,
            },
            "planted_problem": {
                "summary": self.planted.summary,
                "release_version": self.planted.release_version,
                "affected_platforms": list(self.planted.affected_platforms),
                "unaffected_platforms": list(self.planted.unaffected_platforms),
                "step_from": self.planted.step_from,
                "step_to": self.planted.step_to,
                "failure_event": self.planted.failure_event,
                "failure_reason": self.planted.failure_reason,
                "error_code": self.planted.error_code,
                "root_cause": self.planted.root_cause,
            },
            "funnel": list(self.funnel),
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scenario:
        """Read back what ``to_json`` stored, as stored: the data was generated from
        this plot, even if the code's plot has changed since."""
        c = data["config"]
        config = DemoConfig(
            users=int(c["users"]),
            days=int(c["days"]),
            seed=int(c["seed"]),
            start=date.fromisoformat(c["start"]),
            project=str(c["project"]),
        )
        camp = data["campaign"]
        pp = data["planted_problem"]
        return cls(
            config=config,
            product=str(data["product"]),
            releases=tuple(
                Release(
                    version=str(r["version"]),
                    at=datetime.fromisoformat(r["at"]),
                    title=str(r["title"]),
                    description=str(r["description"]),
                    planted_problem=bool(r["planted_problem"]),
                    fixes_problem=bool(r.get("fixes_problem", False)),
                )
                for r in data["releases"]
            ),
            campaign=Campaign(
                name=str(camp["name"]),
                channel=str(camp["channel"]),
                utm_medium=str(camp["utm_medium"]),
                utm_sources=tuple(str(x) for x in camp["utm_sources"]),
                starts_at=datetime.fromisoformat(camp["starts_at"]),
                ends_at=datetime.fromisoformat(camp["ends_at"]),
                description=str(camp["description"]),
            ),
            planted=PlantedProblem(
                summary=str(pp["summary"]),
                release_version=str(pp["release_version"]),
                affected_platforms=tuple(str(x) for x in pp["affected_platforms"]),
                unaffected_platforms=tuple(str(x) for x in pp["unaffected_platforms"]),
                step_from=str(pp["step_from"]),
                step_to=str(pp["step_to"]),
                failure_event=str(pp["failure_event"]),
                failure_reason=str(pp["failure_reason"]),
                error_code=str(pp["error_code"]),
                root_cause=str(pp["root_cause"]),
            ),
            funnel=tuple(str(x) for x in data["funnel"]),
            notes=tuple(str(x) for x in data["notes"]),
        )


#: The earlier, harmless release: analytics should find *no* change around it.
CONTROL_RELEASE_TITLE = "Dark mode and faster dashboards"
RELEASE_TITLE = "Integrations now require workspace admin"
FIX_RELEASE_TITLE = "Mobile: request approval from your admin"
ERROR_CODE = "INT_403_ADMIN_REQUIRED"


def scenario_for(config: DemoConfig) -> Scenario:
    """Date the plot for a config: releases at fixed fractions of the window."""
    start = config.start_at
    planted_at = start + timedelta(days=config.release_day, hours=14)
    control_at = start + timedelta(days=config.control_release_day, hours=15)
    fix_at = start + timedelta(days=config.fix_release_day, hours=11)
    c0, c1 = config.campaign_days
    return Scenario(
        config=config,
        product="Pulseboard (synthetic B2B dashboards SaaS)",
        releases=(
            Release(
                version="2.3.0",
                at=control_at,
                title=CONTROL_RELEASE_TITLE,
                description="Visual refresh and dashboard caching; no change to onboarding.",
            ),
            Release(
                version="2.4.0",
                at=planted_at,
                title=RELEASE_TITLE,
                description=(
                    "Integrations switch to an org-wide install approved by an admin of the "
                    "connected tool. The web app lets non-admins request approval and carry "
                    "on; the iOS and Android apps do not."
                ),
                planted_problem=True,
            ),
            Release(
                version="2.4.1",
                at=fix_at,
                title=FIX_RELEASE_TITLE,
                description=(
                    "The iOS and Android apps get the web's fallback: a non-admin asks an "
                    "admin of the connected tool to approve the install and carries on."
                ),
                fixes_problem=True,
            ),
        ),
        campaign=Campaign(
            name="spring_launch",
            channel="paid_social",
            utm_medium="paid_social",
            utm_sources=("facebook", "instagram", "tiktok"),
            starts_at=start + timedelta(days=c0),
            ends_at=start + timedelta(days=c1),
            description=(
                "Paid-social push: nearly doubles signups while it runs; low-intent, mostly "
                "mobile traffic that converts worse at every step, on every platform."
            ),
        ),
        planted=PlantedProblem(
            summary=(
                "From release 2.4.0, mobile (iOS/Android) users who reach the integration "
                "step mostly fail with admin_access_required and do not connect; web users "
                "are unaffected."
            ),
            release_version="2.4.0",
            affected_platforms=MOBILE_PLATFORMS,
            unaffected_platforms=("web",),
            step_from="integration_step_viewed",
            step_to="connect_integration",
            failure_event="integration_failed",
            failure_reason="admin_access_required",
            error_code=ERROR_CODE,
            root_cause=(
                "Trial users are rarely admins of their company's Slack/Google/CRM; the "
                "mobile apps have no 'request approval from your admin' fallback."
            ),
        ),
        notes=(
            "Not every mobile user fails: admins of the connected tool still connect.",
            "The campaign (paid_social, mostly mobile) starts 4 days before 2.4.0 and "
            "lowers conversion through mix alone; break down by platform and channel.",
            "Release 2.3.0 changed nothing measurable (a negative control).",
            "Release 2.4.1 fixes the mobile apps; the integration step recovers after it.",
        ),
    )
