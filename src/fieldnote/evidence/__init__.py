"""Evidence and decisions: qualitative themes checked against behaviour at scale.

Domain code (never imports the web or CLI layers). ``compare_groups`` compares any
per-person metric between two groups with a bootstrap interval, a Mann-Whitney or
permutation p-value, sample sizes and small-sample warnings; ``person_values`` reads
per-person metrics from the event store; ``theme_behaviour`` puts the two together
for a synthesis theme; ``release_verdict`` judges a release by the change
decomposition (improved / no effect / worse / confounded by mix); ``Opportunity`` scores
backlog items by RICE with every component traced to its evidence.
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
from fieldnote.evidence._metrics import (
    PERSON_METRICS,
    PersonMetric,
    PersonValues,
    person_metric,
    person_values,
)
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
    "GroupStats",
    "Interval",
    "Opportunity",
    "PersonMetric",
    "PersonValues",
    "ReleaseVerdict",
    "Scenario",
    "ThemeBehaviour",
    "Verdict",
    "bootstrap_difference",
    "calibrate",
    "compare_groups",
    "confidence_from_evidence",
    "effort_entered",
    "impact_from_theme",
    "judge",
    "mann_whitney_p",
    "permutation_p",
    "person_metric",
    "person_values",
    "rank",
    "reach_from_segment",
    "release_verdict",
    "rice_csv",
    "theme_behaviour",
    "theme_participants",
]
