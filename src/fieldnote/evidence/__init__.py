"""Evidence and decisions: qualitative themes checked against behaviour at scale.

Domain code (never imports the web or CLI layers). ``compare_groups`` compares any
per-person metric between two groups with a bootstrap interval, a Mann-Whitney or
permutation p-value, sample sizes and small-sample warnings; ``person_values`` reads
per-person metrics from the event store; ``theme_behaviour`` puts the two together
for a synthesis theme; ``release_verdict`` judges a release by the change
decomposition (improved / no effect / worse / confounded by mix); ``Opportunity`` scores
backlog items by RICE with every component traced to its evidence. ``theme_reach``
turns a theme into a segment of all users and counts them; ``journey_map``,
``build_personas`` and ``empathy_map`` are the empathy artifacts (docs/evidence.md).
``fieldnote.evidence._stored`` runs all of these over what the repository stores.
"""

from fieldnote.evidence._calibration import SCENARIOS, Calibration, Scenario, calibrate
from fieldnote.evidence._compare import (
    MIN_GROUP,
    TESTS,
    Comparison,
    GroupStats,
    Interval,
    bootstrap_difference,
    compare_groups,
    mann_whitney_p,
    permutation_p,
)
from fieldnote.evidence._empathy import EMPATHY_RULES, EmpathyMap, classify, empathy_map
from fieldnote.evidence._journey import JourneyMap, JourneyNote, JourneyStep, journey_map
from fieldnote.evidence._metrics import (
    PERSON_METRICS,
    PersonMetric,
    PersonValues,
    person_metric,
    person_values,
)
from fieldnote.evidence._personas import Persona, build_personas, participant_attributes
from fieldnote.evidence._reach import ThemeReach, theme_reach
from fieldnote.evidence._rice import (
    CONFIDENCE_LEVELS,
    CONFIDENT_PARTICIPANTS,
    QUARTER_DAYS,
    Component,
    Opportunity,
    confidence_from_evidence,
    effort_entered,
    impact_from_theme,
    rank,
    reach_from_segment,
    rice_csv,
)
from fieldnote.evidence._themes import ThemeBehaviour, theme_behaviour, theme_participants
from fieldnote.evidence._verdict import (
    ALPHA,
    MIN_USERS,
    MIX_SHARE,
    ReleaseVerdict,
    Verdict,
    judge,
    release_verdict,
)

__all__ = [
    "ALPHA",
    "CONFIDENCE_LEVELS",
    "CONFIDENT_PARTICIPANTS",
    "EMPATHY_RULES",
    "MIN_GROUP",
    "MIN_USERS",
    "MIX_SHARE",
    "PERSON_METRICS",
    "QUARTER_DAYS",
    "SCENARIOS",
    "TESTS",
    "Calibration",
    "Comparison",
    "Component",
    "EmpathyMap",
    "GroupStats",
    "Interval",
    "JourneyMap",
    "JourneyNote",
    "JourneyStep",
    "Opportunity",
    "PersonMetric",
    "PersonValues",
    "Persona",
    "ReleaseVerdict",
    "Scenario",
    "ThemeBehaviour",
    "ThemeReach",
    "Verdict",
    "bootstrap_difference",
    "build_personas",
    "calibrate",
    "classify",
    "compare_groups",
    "confidence_from_evidence",
    "effort_entered",
    "empathy_map",
    "impact_from_theme",
    "journey_map",
    "judge",
    "mann_whitney_p",
    "participant_attributes",
    "permutation_p",
    "person_metric",
    "person_values",
    "rank",
    "reach_from_segment",
    "release_verdict",
    "rice_csv",
    "theme_behaviour",
    "theme_participants",
    "theme_reach",
]
