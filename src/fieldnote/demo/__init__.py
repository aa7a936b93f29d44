"""A synthetic SaaS product with a planted problem, for ``fieldnote demo``.

``generate_demo(store, DemoConfig(...))`` writes ~25 events per user (over a million
for the default 50,000 users) into an event store in seconds; ``summarize_demo``
measures what was stored. The plot (funnel steps, releases, the campaign that
confounds a naive comparison, the planted mobile failure) lives in ``_scenario``.
"""

from fieldnote.demo._load import (
    GenerationResult,
    Progress,
    demo_events,
    generate_demo,
    stored_scenario,
)
from fieldnote.demo._scenario import (
    DEFAULT_DAYS,
    DEFAULT_SEED,
    DEFAULT_USERS,
    DEMO_PROJECT,
    FUNNEL_STEPS,
    Campaign,
    DemoConfig,
    PlantedProblem,
    Release,
    Scenario,
    scenario_for,
)
from fieldnote.demo._summary import (
    DemoSummary,
    PlatformConversion,
    ReleaseSummary,
    StepConversion,
    summarize_demo,
)

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_SEED",
    "DEFAULT_USERS",
    "DEMO_PROJECT",
    "FUNNEL_STEPS",
    "Campaign",
    "DemoConfig",
    "DemoSummary",
    "GenerationResult",
    "PlantedProblem",
    "PlatformConversion",
    "Progress",
    "Release",
    "ReleaseSummary",
    "Scenario",
    "StepConversion",
    "demo_events",
    "generate_demo",
    "scenario_for",
    "stored_scenario",
    "summarize_demo",
]
