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

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from fieldnote.repository import ThemeBook, ThemeBookError, book_trend
from fieldnote.web._project_access import (
    CanReadPersonal,
    CanWrite,
    ErrorMap,
    ProjectAccess,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["themes"])

NoteIds = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1)]
ThemeId = Annotated[str, Field(min_length=1, max_length=32)]
UNKNOWN_BOOK = ErrorMap({ThemeBookError: 404})


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


def _book(ctx: ProjectAccess, book: str) -> ThemeBook:
    return ThemeBook(ctx.repository, ctx.project, book)


def book_payload(book: ThemeBook) -> dict[str, Any]:
    return {
        "book": book.name,
        "themes": [asdict(t) for t in book.themes()],
        "notes": [
            {**asdict(n), "recorded_at": n.recorded_at.isoformat() if n.recorded_at else None}
            for n in book.notes()
        ],
    }


async def _correct(
    ctx: ProjectAccess,
    book: str,
    action: str,
    body: BaseModel,
    change: Callable[[ThemeBook], object],
) -> dict[str, Any]:
    """Apply one correction; 404 for an unknown book, 422 for what cannot apply. The
    audit entry's detail is the request body."""
    target = _book(ctx, book)

    def run() -> tuple[object, list[dict[str, Any]]]:
        target.themes()  # an unknown book is a 404, not a 422
        try:
            outcome = change(target)
        except ThemeBookError as exc:
            ctx.refuse(422, str(exc))
        return outcome, [asdict(t) for t in target.themes()]

    outcome, themes = await ctx.run(run, UNKNOWN_BOOK)
    await ctx.audit(f"themebook.{action}", f"themebook:{book}", body.model_dump())
    return {"book": book, "result": outcome, "themes": themes}


@router.get("/projects/{project}/books/{book}")
async def read_book(ctx: CanReadPersonal, book: str) -> dict[str, Any]:
    """Themes (with counts and the last run's keyphrases, sentiment, kind) and every note."""
    payload = await ctx.run(lambda: book_payload(_book(ctx, book)), UNKNOWN_BOOK)
    await ctx.audit("personal_data.read", f"themebook:{book}", {"notes": len(payload["notes"])})
    return payload


@router.post("/projects/{project}/books/{book}/move")
async def move_notes(ctx: CanWrite, book: str, body: MoveIn) -> dict[str, Any]:
    """Put notes into a theme (or none); pinned, so re-runs keep them there."""
    return await _correct(ctx, book, "move", body, lambda b: b.move(body.notes, body.theme))


@router.post("/projects/{project}/books/{book}/merge")
async def merge_themes(ctx: CanWrite, book: str, body: MergeIn) -> dict[str, Any]:
    """Merge theme ``other`` into ``into``."""
    return await _correct(ctx, book, "merge", body, lambda b: b.merge(body.into, body.other))


@router.post("/projects/{project}/books/{book}/split")
async def split_theme(ctx: CanWrite, book: str, body: SplitIn) -> dict[str, Any]:
    """Move some notes of a theme into a new theme; ``result`` is the new theme's id."""
    return await _correct(
        ctx, book, "split", body, lambda b: b.split(body.theme, body.notes, body.label)
    )


@router.post("/projects/{project}/books/{book}/rename")
async def rename_theme(ctx: CanWrite, book: str, body: RenameIn) -> dict[str, Any]:
    """Name a theme by hand; re-runs keep the name."""
    return await _correct(ctx, book, "rename", body, lambda b: b.rename(body.theme, body.label))


@router.get("/projects/{project}/books/{book}/trend")
async def trend(
    ctx: CanReadPersonal,
    book: str,
    by: Annotated[str, Query(min_length=1, max_length=100)] = "week",
    min_n: Annotated[int, Query(ge=1, le=1000)] = 5,
) -> dict[str, Any]:
    """Share of participants and notes per theme per week or participant attribute."""
    errors = ErrorMap({ThemeBookError: 404, ValueError: 422})
    found = await ctx.run(lambda: book_trend(_book(ctx, book), by, min_n=min_n), errors)
    return {"book": book, **found.to_dict()}
