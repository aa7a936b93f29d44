"""Diary studies over HTTP (docs/api.md, "Diaries") and their place in ``serve``.

The participant side needs only the link of one prompt email: ``GET /d/{token}`` is
the entry page, ``/api/d/{token}`` its JSON (the prompt, the entry if written), an
entry is posted once, and the participant can stop the diary (withdraw consent) from
any of its links. Researchers read a diary's progress per participant
(``personal_data.read``, audited: it names participants). ``start_diary_scheduler``
sends due prompts every ``diary_interval_seconds`` on the monitors' scheduler class.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError

from fieldnote.interviews.diaries import DiaryError, RunReport, mailer_from, send_due
from fieldnote.monitors._scheduler import MonitorScheduler
from fieldnote.repository._diaries import DiaryRecord, DiaryStore, ParticipantProgress
from fieldnote.repository._diary_entries import (
    MAX_ENTRY_CHARS,
    DiaryConflict,
    DiaryEntries,
    DiaryLinkError,
    DiaryOutbox,
    EntryView,
)
from fieldnote.web._auth import state
from fieldnote.web._diaries_write_api import NO_DIARY
from fieldnote.web._diary_page import DIARY_PAGE
from fieldnote.web._project_access import CanReadPersonal
from fieldnote.web._state import AppState

__all__ = ["router", "run_due_now", "start_diary_scheduler"]

router = APIRouter(tags=["diaries"])


class EntryIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_ENTRY_CHARS)


_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": EntryIn.model_json_schema()}},
    }
}


def _entries(request: Request) -> DiaryEntries:
    return DiaryEntries(state(request).fieldnote.repository)


def _call(fn: Any, *args: Any) -> EntryView:
    try:
        result: EntryView = fn(*args)
    except DiaryLinkError as exc:
        raise HTTPException(404, str(exc)) from exc
    except DiaryConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except DiaryError as exc:
        raise HTTPException(422, str(exc)) from exc
    return result


@router.get("/d/{token}", response_class=HTMLResponse, include_in_schema=False)
async def entry_page(request: Request, token: str) -> HTMLResponse:
    await run_in_threadpool(_call, _entries(request).view, token)  # 404 for a bad link
    return HTMLResponse(DIARY_PAGE)


@router.get("/api/d/{token}")
async def entry_view(request: Request, token: str) -> dict[str, Any]:
    """The prompt behind a diary link, and the entry if it was written."""
    return (await run_in_threadpool(_call, _entries(request).view, token)).to_dict()


async def _entry_text(request: Request, token: str) -> str:
    """The link is checked before the body, so a forged link learns nothing (404) and
    a participant's own mistake gets a precise 422."""
    await run_in_threadpool(_call, _entries(request).view, token)
    try:
        body = EntryIn.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise HTTPException(422, f"{field}: {first.get('msg', 'invalid')}") from None
    return body.text


@router.post("/api/d/{token}/entry", openapi_extra=_BODY)
async def write_entry(request: Request, token: str) -> dict[str, Any]:
    """Store the entry (once; the same text again returns the stored view)."""
    text = await _entry_text(request, token)
    return (await run_in_threadpool(_call, _entries(request).answer, token, text)).to_dict()


@router.post("/api/d/{token}/withdraw")
async def withdraw(request: Request, token: str) -> dict[str, Any]:
    """The participant stops the diary: consent is withdrawn, no more prompts."""
    return (await run_in_threadpool(_call, _entries(request).withdraw, token)).to_dict()


@router.get("/api/projects/{project}/diaries")
async def list_diaries(ctx: CanReadPersonal) -> dict[str, Any]:
    diaries = await ctx.run(lambda: DiaryStore(ctx.repository).list(ctx.project))
    return {"diaries": [d.to_dict() for d in diaries]}


@router.get("/api/projects/{project}/diaries/{name}")
async def show_diary(ctx: CanReadPersonal, name: str) -> dict[str, Any]:
    """Per participant: prompts upcoming, sent, answered, missed, skipped; the read is
    audited (it names people)."""
    store = DiaryStore(ctx.repository)

    def load() -> tuple[DiaryRecord, list[ParticipantProgress]]:
        return store.get(ctx.project, name), store.progress(ctx.project, name)

    diary, people = await ctx.run(load, NO_DIARY)
    await ctx.audit("personal_data.read", f"diary:{name}", {"participants": len(people)})
    return {"diary": diary.to_dict(), "participants": [p.to_dict() for p in people]}


def run_due_now(app_state: AppState, *, now: datetime | None = None) -> RunReport:
    """One sending step on the server's repository and settings."""
    fn = app_state.fieldnote
    public_url = fn.settings.public_url
    if not public_url:
        info = fn.home.running_server()
        if info is None:
            raise DiaryError("set FIELDNOTE_PUBLIC_URL: diary links need the server's address")
        public_url = info.base_url
    return send_due(
        DiaryOutbox(fn.repository),
        mailer_from(fn.settings),
        now=now or datetime.now(UTC),
        public_url=public_url,
    )


def start_diary_scheduler(app_state: AppState) -> MonitorScheduler:
    """The background task of ``fieldnote serve`` that sends due diary prompts every
    ``diary_interval_seconds`` (0, or no SMTP server configured: never)."""
    settings = app_state.fieldnote.settings
    interval = settings.diary_interval_seconds if settings.smtp_host else 0

    def job() -> None:
        run_due_now(app_state)

    return MonitorScheduler(interval, job).start()
