"""Evidence and decisions: qualitative themes checked against behaviour at scale.

Domain code (never imports the web or CLI layers). ``compare_groups`` compares any
per-person metric between two groups with a bootstrap interval, a Mann-Whitney or
permutation p-value, sample sizes and small-sample warnings; ``person_values`` reads
per-person metrics from the event store; ``theme_behaviour`` puts the two together
for a synthesis theme; ``release_verdict`` judges a release by the change
decomposition (improved / no effect / worse / confounded by mix).
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
    "MIN_GROUP",
    "MIN_USERS",
    "MIX_SHARE",
    "PERSON_METRICS",
    "SCENARIOS",
    "TESTS",
    "Calibration",
    "Comparison",
    "GroupStats",
    "Interval",
    "PersonMetric",
    "PersonValues",
    "ReleaseVerdict",
    "Scenario",
    "ThemeBehaviour",
    "Verdict",
    "bootstrap_difference",
    "calibrate",
    "compare_groups",
    "judge",
    "mann_whitney_p",
    "permutation_p",
    "person_metric",
    "person_values",
    "release_verdict",
    "theme_behaviour",
    "theme_participants",
]
