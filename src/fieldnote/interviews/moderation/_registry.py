"""Moderators: a Protocol and a registry keyed by name (``rule-based`` is the default;
``llm`` needs an OpenAI-compatible endpoint in ``LlmConfig``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fieldnote.interviews.guides import Guide
from fieldnote.interviews.moderation._llm import LlmConfig, LlmModerator
from fieldnote.interviews.moderation._rule_based import RuleBasedModerator
from fieldnote.interviews.moderation._session import ModeratorTurn, SessionState

__all__ = ["MODERATORS", "Moderator", "get_moderator", "new_session"]


class Moderator(Protocol):
    name: str

    def start(self, state: SessionState, now: float) -> ModeratorTurn: ...

    def respond(self, state: SessionState, answer: str, now: float) -> ModeratorTurn: ...


def _llm(config: LlmConfig | None) -> Moderator:
    if config is None:
        raise ValueError("the llm moderator needs FIELDNOTE_LLM_BASE_URL and FIELDNOTE_LLM_MODEL")
    return LlmModerator(config)


MODERATORS: dict[str, Callable[[LlmConfig | None], Moderator]] = {
    "rule-based": lambda _config: RuleBasedModerator(),
    "llm": _llm,
}


def get_moderator(name: str, llm: LlmConfig | None = None) -> Moderator:
    if name not in MODERATORS:
        raise ValueError(f"unknown moderator {name!r}; one of {', '.join(MODERATORS)}")
    return MODERATORS[name](llm)


def new_session(
    guide: Guide, moderator: str = "rule-based", llm: LlmConfig | None = None
) -> tuple[Moderator, SessionState]:
    impl = get_moderator(moderator, llm)
    return impl, SessionState(guide=guide, moderator=impl.name)
