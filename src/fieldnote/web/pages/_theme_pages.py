"""Theme pages: the books list, the affinity map, one theme, and a transcript opened at
the moment a quote was said.

Everything here shows participants' words, so it needs the researcher role and every
view is written to the audit log (like segment members). The affinity map's changes go
through the JSON API (``web/_themes_api.py``) from ``static/affinity.js``, which sends
the session's CSRF token; every drag has a keyboard twin (a "Move to" select and button).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from starlette.responses import Response

from fieldnote.interviews import Interview
from fieldnote.repository import (
    BookNote,
    BookTheme,
    InterviewError,
    InterviewStore,
    Permission,
    ThemeBook,
    ThemeBookError,
    book_names,
    book_trend,
)
from fieldnote.web._guards import PageForbiddenError
from fieldnote.web._project_access import ErrorMap, PageResearcher, ProjectAccess
from fieldnote.web.pages._projects import project_page

__all__ = ["done_message", "moment_of", "router"]

router = APIRouter(include_in_schema=False)

CARDS_PER_COLUMN = 300
"""A column shows at most this many cards (the theme page lists them all)."""
QUOTES_ON_THEME_PAGE = 50
UNKNOWN_BOOK = ErrorMap({ThemeBookError: 404})
READ = "personal_data.read"
"""The audit action of every view here."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    theme: BookTheme | None
    notes: list[BookNote]
    hidden: int

    @property
    def key(self) -> str:
        return self.theme.id if self.theme else ""


def book_href(project: str, book: str) -> str:
    return f"/projects/{project}/books/{quote(book, safe='')}"


def moment_href(project: str, note: BookNote) -> str:
    """The transcript page at the utterance the note came from (time and words)."""
    query: dict[str, str] = {"q": note.text[:120]}
    if note.start is not None:
        query["t"] = f"{note.start:g}"
    return (
        f"/projects/{project}/transcripts/{quote(note.source, safe='')}?{urlencode(query)}#moment"
    )


def _load(ctx: ProjectAccess, name: str) -> tuple[list[BookTheme], list[BookNote]]:
    book = ThemeBook(ctx.repository, ctx.project, name)
    return book.themes(), book.notes()


def _transcripts(ctx: ProjectAccess) -> set[str]:
    return {i.id for i in InterviewStore(ctx.repository).list(ctx.project)}


@router.get("/projects/{project}/books")
async def books_page(ctx: PageResearcher) -> Response:
    project = ctx.project
    names = await ctx.run(lambda: book_names(ctx.repository, project))
    return await project_page(
        ctx,
        "books.html",
        active="themes",
        books=[{"name": n, "href": book_href(project, n)} for n in names],
    )


_DONE = {
    "move": "Moved {n} note(s).",
    "rename": "Renamed {theme}.",
    "merge": "Merged {theme} into {into}.",
    "split": "Split {n} note(s) into {theme}.",
}
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def done_message(params: Mapping[str, str]) -> str:
    """The status line after a change, built here from a known template and checked ids,
    never from free text in the address (a crafted link cannot put words on the page)."""
    template = _DONE.get(params.get("done", ""))
    values = {k: params.get(k, "") for k in ("theme", "into", "n")}
    if template is None or not all(
        _ID.fullmatch(v) for k, v in values.items() if f"{{{k}}}" in template
    ):
        return ""
    if "{n}" in template and not values["n"].isdigit():
        return ""
    return template.format(**values)


@router.get("/projects/{project}/books/{book}")
async def affinity_page(ctx: PageResearcher, book: str) -> Response:
    """Notes as cards in one column per theme (most people first), outliers last."""
    project = ctx.project
    themes, notes = await ctx.run(lambda: _load(ctx, book), UNKNOWN_BOOK)
    themes = sorted(themes, key=lambda t: (-t.participants, t.id))
    by_theme: dict[str | None, list[BookNote]] = {}
    for n in notes:
        by_theme.setdefault(n.theme, []).append(n)
    columns = [
        Column(
            theme=t,
            notes=by_theme.get(t.id, [])[:CARDS_PER_COLUMN],
            hidden=max(0, len(by_theme.get(t.id, [])) - CARDS_PER_COLUMN),
        )
        for t in themes
    ]
    loose = by_theme.get(None, [])
    columns.append(
        Column(
            theme=None, notes=loose[:CARDS_PER_COLUMN], hidden=max(0, len(loose) - CARDS_PER_COLUMN)
        )
    )
    await ctx.audit(READ, f"themebook:{book}", {"page": "affinity", "notes": len(notes)})
    return await project_page(
        ctx,
        "affinity.html",
        active="themes",
        book=book,
        href=book_href(project, book),
        api=f"/api/projects/{project}/books/{quote(book, safe='')}",
        columns=columns,
        themes=themes,
        msg=done_message(ctx.request.query_params),
        can_write=ctx.can(Permission.WRITE_RESEARCH),
    )


@router.get("/projects/{project}/books/{book}/themes/{theme}")
async def theme_page(
    ctx: PageResearcher,
    book: str,
    theme: str,
    by: Annotated[str, Query(min_length=1, max_length=100)] = "week",
) -> Response:
    project = ctx.project
    themes, notes = await ctx.run(lambda: _load(ctx, book), UNKNOWN_BOOK)
    found = next((t for t in themes if t.id == theme), None)
    if found is None:
        raise PageForbiddenError(404, f"book {book!r} has no theme {theme!r}")
    members = [n for n in notes if n.theme == theme]
    # quotes from distinct people first, then the rest, as synthesis picks them
    seen: set[str] = set()
    first: list[BookNote] = []
    rest: list[BookNote] = []
    for n in members:
        person = n.participant or n.id
        (rest if person in seen else first).append(n)
        seen.add(person)
    quotes = (first + rest)[:QUOTES_ON_THEME_PAGE]
    transcripts = await ctx.run(lambda: _transcripts(ctx))
    the_book = ThemeBook(ctx.repository, project, book)
    error = None
    try:
        trend = await ctx.run(lambda: book_trend(the_book, by))
    except ValueError as exc:
        error = str(exc)
        trend = await ctx.run(lambda: book_trend(the_book, "week"))
    await ctx.audit(READ, f"themebook:{book}", {"page": "theme", "theme": theme})
    return await project_page(
        ctx,
        "theme.html",
        active="themes",
        book=book,
        href=book_href(project, book),
        theme=found,
        quotes=[
            {"note": n, "href": moment_href(project, n) if n.source in transcripts else None}
            for n in quotes
        ],
        more=len(members) - len(quotes),
        trend=trend,
        cells=[trend.cell(theme, g) for g in trend.groups],
        by=trend.by,
        by_error=error,
    )


def moment_of(interview: Interview, t: float | None, q: str) -> int | None:
    """The utterance a quote came from: same start time, else the first containing it."""
    words = " ".join(q.split()).lower()
    timed = [u for u in interview.utterances if t is not None and u.start is not None]
    if timed:
        # nearest start; on a tie the participant's turn (notes come from those)
        best = min(timed, key=lambda u: (abs((u.start or 0.0) - (t or 0.0)), not u.is_participant))
        return best.index
    for u in interview.utterances:
        if words and words in " ".join(u.text.split()).lower():
            return u.index
    return None


@router.get("/projects/{project}/transcripts/{interview}")
async def transcript_page(
    ctx: PageResearcher,
    interview: str,
    t: Annotated[float | None, Query(ge=0)] = None,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """A transcript, with the utterance at time ``t`` (or holding ``q``) marked #moment."""
    store = InterviewStore(ctx.repository)
    found = await ctx.run(
        lambda: store.get(ctx.project, interview), ErrorMap({InterviewError: 404})
    )
    await ctx.audit(READ, f"interview:{interview}", {"page": "transcript"})
    return await project_page(
        ctx,
        "transcript.html",
        active="themes",
        interview=found,
        moment=moment_of(found, t, q),
    )
