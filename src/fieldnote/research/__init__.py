"""Research: questions opened from signals, and the studies that answer them.

Domain code: never imports the web or CLI layers (import-linter checks). Persistence
is ``fieldnote.repository`` (``ResearchStore``); this package decides what to say and
whom to ask.
"""

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

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_QUOTA",
    "FAMILIES",
    "Driver",
    "SegmentPlan",
    "StepChange",
    "StudyPlan",
    "anomaly_key",
    "plan_study",
    "question_text",
]
