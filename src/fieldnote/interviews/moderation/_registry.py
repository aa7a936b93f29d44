"""Moderators: a Protocol and a registry keyed by name (``rule-based`` is the default)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fieldnote.interviews.guides import Guide
from fieldnote.interviews.moderation._rule_based import RuleBasedModerator
from fieldnote.interviews.moderation._session import ModeratorTurn, SessionState

__all__ = ["MODERATORS", "Moderator", "new_session"]


class Moderator(Protocol):
    name: str

    def start(self, state: SessionState, now: float) -> ModeratorTurn: ...

    def respond(self, state: SessionState, answer: str, now: float) -> ModeratorTurn: ...


MODERATORS: dict[str, Callable[[], Moderator]] = {
    "rule-based": RuleBasedModerator,
}


def new_session(guide: Guide, moderator: str = "rule-based") -> tuple[Moderator, SessionState]:
    if moderator not in MODERATORS:
        raise ValueError(f"unknown moderator {moderator!r}; one of {', '.join(MODERATORS)}")
    impl = MODERATORS[moderator]()
    return impl, SessionState(guide=guide, moderator=impl.name)
