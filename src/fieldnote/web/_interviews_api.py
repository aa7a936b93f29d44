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
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from fieldnote.interviews.guides import GuideError
from fieldnote.interviews.moderation import (
    MODERATORS,
    LlmConfig,
    Moderator,
    SessionState,
    get_moderator,
)
from fieldnote.repository import (
    ChatSessions,
    GuideStore,
)
from fieldnote.repository._chat_flow import (
    ChatFlowError,
    ChatView,
    chat_answer,
    chat_consent,
    chat_view,
)
from fieldnote.web._auth import state
from fieldnote.web._interview_page import PAGE
from fieldnote.web._project_access import CanWrite, ErrorMap

__all__ = ["router"]

router = APIRouter(tags=["interviews"])
NO_GUIDE = ErrorMap({GuideError: 404})

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


@router.post("/api/projects/{project}/interview-sessions", status_code=201)
async def create_session(ctx: CanWrite, body: SessionIn) -> dict[str, Any]:
    """A participant link for an AI-moderated interview following a stored guide."""
    if body.moderator not in MODERATORS:
        raise HTTPException(422, f"moderator must be one of {', '.join(MODERATORS)}")
    guides = GuideStore(ctx.repository)
    guide = await ctx.run(lambda: guides.get(ctx.project, body.guide, body.version), NO_GUIDE)
    moderator = _moderator(ctx.request, body.moderator)
    session_state = SessionState(guide=guide, moderator=moderator.name).to_dict()
    sessions = ChatSessions(ctx.repository)
    token = await ctx.run(
        lambda: sessions.create(ctx.project, session_state, participant=body.participant)
    )
    return {"token": token, "url": f"/i/{token}", "guide": guide.name, "version": guide.version}


def _view(view: ChatView) -> dict[str, Any]:
    turns = [{"role": t.role.value, "text": t.text} for t in view.state.turns]
    return {
        "status": view.status,
        "consent": CONSENT,
        "turns": turns,
        "answers": view.answers,
        "done": view.state.done,
    }


def _flow(call: Callable[[], ChatView]) -> dict[str, Any]:
    """Run one step of the chat flow (``repository.chat_*``) and answer with the view."""
    try:
        return _view(call())
    except ChatFlowError as exc:
        raise HTTPException(exc.status, str(exc)) from exc


@router.get("/i/{token}", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, token: str) -> HTMLResponse:
    repo = state(request).fieldnote.repository
    await run_in_threadpool(_flow, lambda: chat_view(repo, token))  # 404 for an unknown link
    return HTMLResponse(PAGE)


@router.get("/api/i/{token}")
async def session_view(request: Request, token: str) -> dict[str, Any]:
    """Everything said so far: what a reconnecting page shows."""
    repo = state(request).fieldnote.repository
    return await run_in_threadpool(_flow, lambda: chat_view(repo, token))


@router.post("/api/i/{token}/consent")
async def consent(request: Request, token: str, body: ConsentIn) -> dict[str, Any]:
    repo = state(request).fieldnote.repository

    def moderator_for(name: str) -> Moderator:
        return _moderator(request, name)

    return await run_in_threadpool(
        _flow, lambda: chat_consent(repo, token, body.agree, moderator_for, time.time())
    )


@router.post("/api/i/{token}/answer")
async def answer(request: Request, token: str, body: AnswerIn) -> dict[str, Any]:
    repo = state(request).fieldnote.repository

    def moderator_for(name: str) -> Moderator:
        return _moderator(request, name)

    return await run_in_threadpool(
        _flow, lambda: chat_answer(repo, token, body.text, body.seq, moderator_for, time.time())
    )
