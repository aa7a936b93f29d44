"""Moderators: run a guide as a conversation, probing each answer. ``rule-based`` is
the offline default; every moderator shares ``SessionState`` and so the transcript
format."""

from fieldnote.interviews.moderation._analysis import AnswerSignals, analyse_answer
from fieldnote.interviews.moderation._llm import LlmConfig, LlmModerator
from fieldnote.interviews.moderation._registry import (
    MODERATORS,
    Moderator,
    get_moderator,
    new_session,
)
from fieldnote.interviews.moderation._report import ConsistencyReport, consistency_report
from fieldnote.interviews.moderation._rule_based import CLOSING, OPENING, RuleBasedModerator
from fieldnote.interviews.moderation._session import ModeratorTurn, SessionState, Turn

__all__ = [
    "CLOSING",
    "MODERATORS",
    "OPENING",
    "AnswerSignals",
    "ConsistencyReport",
    "LlmConfig",
    "LlmModerator",
    "Moderator",
    "ModeratorTurn",
    "RuleBasedModerator",
    "SessionState",
    "Turn",
    "analyse_answer",
    "consistency_report",
    "get_moderator",
    "new_session",
]
