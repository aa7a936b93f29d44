"""Theme books over HTTP: read a book, correct it (move, merge, split, rename), and its
themes over time and per segment (docs/api.md). The affinity map page calls these.

A book holds participants' words and names, so every route needs the researcher role
(``READ_PERSONAL_DATA`` to read, ``WRITE_RESEARCH`` to correct); each read of notes and
each correction is written to the audit log. Corrections are the same ``ThemeBook``
calls the CLI makes, so they pin notes and survive the next synthesis run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from fieldnote.repository import Permission, ThemeBook, ThemeBookError, book_trend
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["themes"])

CanRead = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA))]
CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]
NoteIds = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1)]
ThemeId = Annotated[str, Field(min_length=1, max_length=32)]


class MoveIn(BaseModel):
    notes: NoteIds
    theme: ThemeId | None = Field(description="Target theme id; null: out of every theme.")


class MergeIn(BaseModel):
    into: ThemeId
    other: ThemeId


class SplitIn(BaseModel):
    theme: ThemeId
    notes: NoteIds
    label: str = Field(min_length=1, max_length=200)


class RenameIn(BaseModel):
    theme: ThemeId
    label: str = Field(min_length=1, max_length=200)


def _book(request: Request, access: Access, book: str) -> ThemeBook:
    return ThemeBook(state(request).fieldnote.repository, access.project_name, book)


def book_payload(book: ThemeBook) -> dict[str, Any]:
    return {
        "book": book.name,
        "themes": [asdict(t) for t in book.themes()],
        "notes": [
            {**asdict(n), "recorded_at": n.recorded_at.isoformat() if n.recorded_at else None}
            for n in book.notes()
        ],
    }


async def _audit(
    request: Request, access: Access, action: str, book: str, detail: dict[str, Any]
) -> None:
    await run_in_threadpool(
        state(request).fieldnote.audit.record,
        actor=access.principal.actor,
        action=action,
        project=access.project_name,
        target=f"themebook:{book}",
        detail=detail,
        ip=client_ip(request),
    )


async def _correct(
    request: Request,
    access: Access,
    book: str,
    action: str,
    change: Callable[[ThemeBook], object],
    detail: dict[str, Any],
) -> dict[str, Any]:
    """Apply one correction; 404 for an unknown book, 422 for what cannot apply."""
    target = _book(request, access, book)

    def run() -> tuple[object, list[dict[str, Any]]]:
        target.themes()  # an unknown book is a 404, not a 422
        try:
            outcome = change(target)
        except ThemeBookError as exc:
            raise HTTPException(422, str(exc)) from exc
        return outcome, [asdict(t) for t in target.themes()]

    try:
        outcome, themes = await run_in_threadpool(run)
    except ThemeBookError as exc:
        raise HTTPException(404, str(exc)) from exc
    await _audit(request, access, f"themebook.{action}", book, detail)
    return {"book": book, "result": outcome, "themes": themes}


@router.get("/projects/{project}/books/{book}")
async def read_book(request: Request, access: CanRead, book: str) -> dict[str, Any]:
    """Themes (with counts and the last run's keyphrases, sentiment, kind) and every note."""
    try:
        payload = await run_in_threadpool(book_payload, _book(request, access, book))
    except ThemeBookError as exc:
        raise HTTPException(404, str(exc)) from exc
    await _audit(request, access, "personal_data.read", book, {"notes": len(payload["notes"])})
    return payload


@router.post("/projects/{project}/books/{book}/move")
async def move_notes(request: Request, access: CanWrite, book: str, body: MoveIn) -> dict[str, Any]:
    """Put notes into a theme (or none); pinned, so re-runs keep them there."""
    return await _correct(
        request,
        access,
        book,
        "move",
        lambda b: b.move(body.notes, body.theme),
        {"notes": body.notes, "theme": body.theme},
    )


@router.post("/projects/{project}/books/{book}/merge")
async def merge_themes(
    request: Request, access: CanWrite, book: str, body: MergeIn
) -> dict[str, Any]:
    """Merge theme ``other`` into ``into``."""
    return await _correct(
        request,
        access,
        book,
        "merge",
        lambda b: b.merge(body.into, body.other),
        {"into": body.into, "other": body.other},
    )


@router.post("/projects/{project}/books/{book}/split")
async def split_theme(
    request: Request, access: CanWrite, book: str, body: SplitIn
) -> dict[str, Any]:
    """Move some notes of a theme into a new theme; ``result`` is the new theme's id."""
    return await _correct(
        request,
        access,
        book,
        "split",
        lambda b: b.split(body.theme, body.notes, body.label),
        {"theme": body.theme, "notes": body.notes, "label": body.label},
    )


@router.post("/projects/{project}/books/{book}/rename")
async def rename_theme(
    request: Request, access: CanWrite, book: str, body: RenameIn
) -> dict[str, Any]:
    """Name a theme by hand; re-runs keep the name."""
    return await _correct(
        request,
        access,
        book,
        "rename",
        lambda b: b.rename(body.theme, body.label),
        {"theme": body.theme, "label": body.label},
    )


@router.get("/projects/{project}/books/{book}/trend")
async def trend(
    request: Request,
    access: CanRead,
    book: str,
    by: Annotated[str, Query(min_length=1, max_length=100)] = "week",
    min_n: Annotated[int, Query(ge=1, le=1000)] = 5,
) -> dict[str, Any]:
    """Share of participants and notes per theme per week or participant attribute."""
    try:
        found = await run_in_threadpool(
            lambda: book_trend(_book(request, access, book), by, min_n=min_n)
        )
    except ThemeBookError as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"book": book, **found.to_dict()}
