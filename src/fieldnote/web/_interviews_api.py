"""AI-moderated interviews over HTTP (docs/api.md, "Interviews").

Staff create a session for a stored guide (``WRITE_RESEARCH``) and get a participant
link. The participant side needs only the link's token: consent first, then one
answer per request. Every request loads the moderator state from the repository and
stores it back, so a dropped connection (or a server restart) resumes where it
stopped, and re-sending an answer that was already taken (``seq``) returns the same
reply instead of answering twice. The finished transcript is stored as an interview.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from fieldnote.interviews import Role
from fieldnote.interviews.guides import GuideError
from fieldnote.interviews.moderation import (
    MODERATORS,
    LlmConfig,
    Moderator,
    SessionState,
    get_moderator,
)
from fieldnote.interviews.transcripts import interview_id
from fieldnote.repository import (
    ChatSession,
    ChatSessionConflict,
    ChatSessionError,
    ChatSessions,
    GuideStore,
    InterviewStore,
    Permission,
)
from fieldnote.web._auth import state
from fieldnote.web._guards import Access, Guard
from fieldnote.web._interview_page import PAGE

__all__ = ["router"]

router = APIRouter(tags=["interviews"])
CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]

CONSENT = (
    "This is a short research conversation about how you use the product. Your typed "
    "answers are stored and read by the product team for research only; names and "
    "contact details are masked in everything they share. You can stop at any time."
)
MAX_ANSWER = 5000


class SessionIn(BaseModel):
    guide: str = Field(min_length=1, max_length=100)
    version: int | None = None
    participant: str | None = Field(default=None, max_length=200)
    moderator: str = "rule-based"


class ConsentIn(BaseModel):
    agree: bool


class AnswerIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_ANSWER)
    seq: int = Field(ge=0, description="How many answers the client had sent before this one.")


def _llm_config(request: Request) -> LlmConfig | None:
    settings = state(request).fieldnote.settings
    if not settings.llm_base_url or not settings.llm_model:
        return None
    return LlmConfig(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout_seconds=settings.llm_timeout_seconds,
    )


def _moderator(request: Request, name: str) -> Moderator:
    try:
        return get_moderator(name, _llm_config(request))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


def _sessions(request: Request) -> ChatSessions:
    return ChatSessions(state(request).fieldnote.repository)


@router.post("/api/projects/{project}/interview-sessions", status_code=201)
async def create_session(request: Request, access: CanWrite, body: SessionIn) -> dict[str, Any]:
    """A participant link for an AI-moderated interview following a stored guide."""
    if body.moderator not in MODERATORS:
        raise HTTPException(422, f"moderator must be one of {', '.join(MODERATORS)}")
    repo = state(request).fieldnote.repository
    try:
        guide = await run_in_threadpool(
            GuideStore(repo).get, access.project_name, body.guide, body.version
        )
    except GuideError as exc:
        raise HTTPException(404, str(exc)) from exc
    moderator = _moderator(request, body.moderator)
    session_state = SessionState(guide=guide, moderator=moderator.name)
    token = await run_in_threadpool(
        _sessions(request).create,
        access.project_name,
        session_state.to_dict(),
        participant=body.participant,
    )
    return {"token": token, "url": f"/i/{token}", "guide": guide.name, "version": guide.version}


def _view(status: str, st: SessionState) -> dict[str, Any]:
    turns = [{"role": t.role.value, "text": t.text} for t in st.turns]
    return {
        "status": status,
        "consent": CONSENT,
        "turns": turns,
        "answers": sum(t.role is Role.PARTICIPANT for t in st.turns),
        "done": st.done,
    }


def _found(request: Request, token: str) -> ChatSession:
    try:
        return _sessions(request).get(token)
    except ChatSessionError as exc:
        raise HTTPException(404, str(exc)) from exc


def _load(request: Request, token: str) -> tuple[str, SessionState, str | None]:
    found = _found(request, token)
    return found.status, SessionState.from_dict(found.state), found.project


@router.get("/i/{token}", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, token: str) -> HTMLResponse:
    await run_in_threadpool(_load, request, token)  # 404 for an unknown link
    return HTMLResponse(PAGE)


@router.get("/api/i/{token}")
async def session_view(request: Request, token: str) -> dict[str, Any]:
    """Everything said so far: what a reconnecting page shows."""
    status, st, _ = await run_in_threadpool(_load, request, token)
    return _view(status, st)


def _consent(request: Request, token: str, agree: bool) -> dict[str, Any]:
    found = _found(request, token)
    status, st = found.status, SessionState.from_dict(found.state)
    if status in {"declined", "completed"}:
        raise HTTPException(409, f"this interview is {status}")
    if status == "consented":
        return _view(status, st)  # consent sent twice (a retry): nothing changes
    new_status = "consented" if agree else "declined"
    if agree:
        _moderator(request, st.moderator).start(st, time.time())
    try:
        _sessions(request).update(
            token, status=new_status, state=st.to_dict(), expected=found.version
        )
    except ChatSessionConflict:
        # A simultaneous consent won; show what it stored.
        status, st, _ = _load(request, token)
        return _view(status, st)
    return _view(new_status, st)


@router.post("/api/i/{token}/consent")
async def consent(request: Request, token: str, body: ConsentIn) -> dict[str, Any]:
    return await run_in_threadpool(_consent, request, token, body.agree)


def _answer(request: Request, token: str, body: AnswerIn) -> dict[str, Any]:
    found = _found(request, token)
    status, st, project = found.status, SessionState.from_dict(found.state), found.project
    answered = sum(t.role is Role.PARTICIPANT for t in st.turns)
    if body.seq < answered:
        return _view(status, st)  # already taken: the reply was lost, send the state again
    if body.seq > answered:
        raise HTTPException(409, f"expected answer number {answered}, got {body.seq}")
    if status != "consented":
        raise HTTPException(409, f"this interview is {status}; consent comes first")
    _moderator(request, st.moderator).respond(st, body.text, time.time())
    new_status = "completed" if st.done and project is not None else "consented"
    iid = interview_id(token.encode(), project=project) if new_status == "completed" else None
    try:
        _sessions(request).update(
            token, status=new_status, state=st.to_dict(), interview_id=iid, expected=found.version
        )
    except ChatSessionConflict:
        # Another request took answer number ``seq`` first: a retry of the same answer
        # gets the winner's reply, a different one is told to reload.
        status, st, _ = _load(request, token)
        if body.seq < sum(t.role is Role.PARTICIPANT for t in st.turns):
            return _view(status, st)
        raise HTTPException(409, "this interview changed meanwhile; reload it") from None
    if iid is not None and project is not None:
        # Only the request whose answer was taken stores the transcript (ids are
        # derived from the token, so a repeat is a no-op).
        interview = st.to_interview(id=iid, participant=found.participant)
        InterviewStore(state(request).fieldnote.repository).save_many(project, [interview])
    return _view(new_status, st)


@router.post("/api/i/{token}/answer")
async def answer(request: Request, token: str, body: AnswerIn) -> dict[str, Any]:
    return await run_in_threadpool(_answer, request, token, body)
