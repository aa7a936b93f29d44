"""Research: questions opened from signals, and the studies that answer them.

Domain code: never imports the web or CLI layers (import-linter checks). Persistence
is ``fieldnote.repository`` (``ResearchStore``); this package decides what to say and
whom to ask.
"""

from fieldnote.research._consent import CONSENT_PARTS, ConsentError, ConsentText
from fieldnote.research._hypotheses import (
    SMALL_WEEK,
    DiagnosisWeek,
    QuestionTimes,
    diagnosis_trend,
    time_to_diagnosis,
)
from fieldnote.research._intercept_matcher import InterceptMatcher, Match, SeenEvent
from fieldnote.research._intercept_rules import (
    CHANNELS,
    FILTER_OPS,
    InterceptRule,
    Offer,
    PropertyFilter,
    RuleError,
)
from fieldnote.research._invitations import (
    INVITATION_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    ContactHistory,
    ContactPolicy,
    Decision,
    InvitationStateError,
    decide,
    next_status,
)
from fieldnote.research._questions import (
    FAMILIES,
    Driver,
    StepChange,
    anomaly_key,
    question_text,
)
from fieldnote.research._studies import (
    DEFAULT_DEADLINE,
    DEFAULT_QUOTA,
    SegmentPlan,
    StudyPlan,
    plan_study,
)
from fieldnote.research._tiers import DAILY_MIN_DAYS, TIERS, Activity, classify, usage_tiers

__all__ = [
    "CHANNELS",
    "CONSENT_PARTS",
    "DAILY_MIN_DAYS",
    "DEFAULT_DEADLINE",
    "DEFAULT_QUOTA",
    "FAMILIES",
    "FILTER_OPS",
    "INVITATION_STATUSES",
    "OPEN_STATUSES",
    "SMALL_WEEK",
    "TIERS",
    "TRANSITIONS",
    "Activity",
    "ConsentError",
    "ConsentText",
    "ContactHistory",
    "ContactPolicy",
    "Decision",
    "DiagnosisWeek",
    "Driver",
    "InterceptMatcher",
    "InterceptRule",
    "InvitationStateError",
    "Match",
    "Offer",
    "PropertyFilter",
    "QuestionTimes",
    "RuleError",
    "SeenEvent",
    "SegmentPlan",
    "StepChange",
    "StudyPlan",
    "anomaly_key",
    "classify",
    "decide",
    "diagnosis_trend",
    "next_status",
    "plan_study",
    "question_text",
    "time_to_diagnosis",
    "usage_tiers",
]
