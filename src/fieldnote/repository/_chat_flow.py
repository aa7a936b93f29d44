"""One AI-moderated chat turn at a time, as the participant's chat page drives it.

The web API (``web/_interviews_api``) and ``fieldnote demo``'s simulated participants
both go through these two functions, so a demo interview is stored exactly as a real
one: load the session, let the moderator start or respond, write the new state back
with a compare-and-set on the version read (two simultaneous answers never both
count), and on the last answer store the transcript under an id derived from the
link's token (a repeat stores nothing new).

Errors carry the HTTP status the web layer answers with (``ChatFlowError.status``):
404 for an unknown link, 409 for an answer out of turn or a session that changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from fieldnote.interviews import Role
from fieldnote.interviews.moderation import Moderator, SessionState
from fieldnote.interviews.transcripts import interview_id
from fieldnote.repository._chat_sessions import (
    ChatSession,
    ChatSessionConflict,
    ChatSessionError,
    ChatSessions,
)
from fieldnote.repository._db import Repository
from fieldnote.repository._interviews import InterviewStore

__all__ = ["ChatFlowError", "ChatView", "chat_answer", "chat_consent", "chat_view"]

ModeratorFor = Callable[[str], Moderator]
"""The moderator a session names (``state.moderator``): rule-based, llm, ..."""


class ChatFlowError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ChatView:
    """What the participant sees: the session's status and everything said so far."""

    status: str
    state: SessionState

    @property
    def answers(self) -> int:
        return sum(t.role is Role.PARTICIPANT for t in self.state.turns)


def _found(sessions: ChatSessions, token: str) -> ChatSession:
    try:
        return sessions.get(token)
    except ChatSessionError as exc:
        raise ChatFlowError(404, str(exc)) from exc


def chat_view(repository: Repository, token: str) -> ChatView:
    found = _found(ChatSessions(repository), token)
    return ChatView(found.status, SessionState.from_dict(found.state))


def chat_consent(
    repository: Repository, token: str, agree: bool, moderator_for: ModeratorFor, now: float
) -> ChatView:
    """Agree (the moderator opens) or decline; a repeated consent changes nothing."""
    sessions = ChatSessions(repository)
    found = _found(sessions, token)
    status, st = found.status, SessionState.from_dict(found.state)
    if status in {"declined", "completed"}:
        raise ChatFlowError(409, f"this interview is {status}")
    if status == "consented":
        return ChatView(status, st)  # consent sent twice (a retry): nothing changes
    new_status = "consented" if agree else "declined"
    if agree:
        moderator_for(st.moderator).start(st, now)
    try:
        sessions.update(token, status=new_status, state=st.to_dict(), expected=found.version)
    except ChatSessionConflict:
        return chat_view(repository, token)  # a simultaneous consent won: show it
    return ChatView(new_status, st)


def chat_answer(
    repository: Repository,
    token: str,
    text: str,
    seq: int,
    moderator_for: ModeratorFor,
    now: float,
    *,
    study: str | None = None,
) -> ChatView:
    """Answer number ``seq`` (0-based); a re-sent answer gets the reply already given.
    ``study`` (a study id) files the finished transcript under that study."""
    sessions = ChatSessions(repository)
    found = _found(sessions, token)
    status, st, project = found.status, SessionState.from_dict(found.state), found.project
    answered = sum(t.role is Role.PARTICIPANT for t in st.turns)
    if seq < answered:
        return ChatView(status, st)  # already taken: the reply was lost, send it again
    if seq > answered:
        raise ChatFlowError(409, f"expected answer number {answered}, got {seq}")
    if status != "consented":
        raise ChatFlowError(409, f"this interview is {status}; consent comes first")
    moderator_for(st.moderator).respond(st, text, now)
    new_status = "completed" if st.done and project is not None else "consented"
    iid = interview_id(token.encode(), project=project) if new_status == "completed" else None
    try:
        sessions.update(
            token, status=new_status, state=st.to_dict(), interview_id=iid, expected=found.version
        )
    except ChatSessionConflict:
        # Another request took answer number ``seq`` first: a retry of the same answer
        # gets the winner's reply, a different one is told to reload.
        view = chat_view(repository, token)
        if seq < view.answers:
            return view
        raise ChatFlowError(409, "this interview changed meanwhile; reload it") from None
    if iid is not None and project is not None:
        # Only the request whose answer was taken stores the transcript.
        interview = replace(st.to_interview(id=iid, participant=found.participant), study=study)
        InterviewStore(repository).save_many(project, [interview])
    return ChatView(new_status, st)
