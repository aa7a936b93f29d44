"""Discovery pages: repository search, the journey map and personas.

Search is over redacted documents (any role, like the API); each hit links to where it
lives (an utterance to its moment in the transcript page, a theme to its page). The
journey map and personas show participants' own words and attributes, so they need
``personal_data.read`` and each view is audited. Filters live in the URL (GET forms),
parsed by the same library functions as the CLI and API; a bad value is shown beside
its field with status 422.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from fieldnote.analytics.funnels import Funnel, FunnelResult
from fieldnote.evidence._journey import JourneyMap, JourneyStep
from fieldnote.evidence._personas import Persona
from fieldnote.evidence._stored import (
    book_contents,
    book_names,
    journey_for_book,
    journey_for_result,
    personas_for_book,
)
from fieldnote.repository import (
    SEARCH_KINDS,
    SavedSegments,
    SearchError,
    SearchHit,
    SegmentError,
    ThemeBookError,
)
from fieldnote.web._auth import state
from fieldnote.web._project_access import PageResearcher, PageViewer, ProjectAccess
from fieldnote.web._research_api import search_hits
from fieldnote.web.pages._analytics_shared import on_store
from fieldnote.web.pages._projects import project_page

__all__ = ["StepContext", "emotion_points", "funnel_step_context", "hit_link", "router"]

router = APIRouter(include_in_schema=False)


FILTERS = ("study", "segment", "step", "tag", "since", "until")


def hit_link(project: str, hit: SearchHit) -> str | None:
    """Where a hit lives: an utterance at its moment in the transcript, a note's
    interview, a theme in its book's evidence view, a question's page."""
    base = f"/projects/{project}"
    if hit.kind == "utterance" and hit.interview_id:
        if hit.start_s is None:
            return f"{base}/transcripts/{hit.interview_id}#u-{hit.ref.rpartition('#')[2]}"
        return f"{base}/transcripts/{hit.interview_id}?{urlencode({'t': hit.start_s})}#moment"
    if hit.kind == "note" and hit.interview_id:
        return f"{base}/transcripts/{hit.interview_id}?{urlencode({'q': hit.text[:200]})}#moment"
    if hit.kind == "theme":
        book, _, theme = hit.ref.rpartition(":")
        return f"{base}/books/{quote(book, safe='')}/themes/{quote(theme, safe='')}"
    if hit.kind == "question":
        return f"/projects/{project}/questions/{hit.ref}"
    return None


@router.get("/projects/{project}/search")
async def search_page(ctx: PageViewer) -> Response:
    project = ctx.project
    params = ctx.request.query_params
    q = params.get("q", "").strip()
    form = {k: params.get(k, "") for k in FILTERS}
    kinds = [k for k in params.getlist("kind") if k]
    error: str | None = None
    hits: list[SearchHit] = []
    if q:
        try:
            hits = await search_hits(ctx.request, project, q, kinds=kinds, limit=50, **form)
        except (SearchError, SegmentError, ValueError) as exc:
            error = str(exc)
    repository = ctx.repository
    segments = await ctx.run(lambda: SavedSegments(repository).list(project))
    return await project_page(
        ctx,
        "search.html",
        active="search",
        q=q,
        form=form,
        kinds=kinds,
        all_kinds=SEARCH_KINDS,
        segments=[s.name for s in segments],
        error=error,
        hits=[(h, hit_link(project, h)) for h in hits],
        status=422 if error else 200,
    )


def emotion_points(
    journey: JourneyMap, width: int = 600, height: int = 160
) -> list[dict[str, Any]]:
    """The emotion curve as SVG points: x by step, y by mean sentiment (-1 bottom,
    +1 top); steps without notes have no point."""
    n = len(journey.steps)
    out = []
    for i, s in enumerate(journey.steps):
        if s.sentiment is None:
            continue
        x = 40 + (width - 80) * (i / (n - 1) if n > 1 else 0.5)
        y = 10 + (height - 20) * (1 - (s.sentiment + 1) / 2)
        out.append({"x": round(x, 1), "y": round(y, 1), "step": s, "label": f"{s.sentiment:+.2f}"})
    return out


async def _book_choice(ctx: ProjectAccess) -> tuple[list[str], str]:
    books = await ctx.run(lambda: book_names(ctx.repository, ctx.project))
    chosen = ctx.request.query_params.get("book") or (books[0] if books else "")
    return books, chosen


@router.get("/projects/{project}/journey")
async def journey_page(ctx: PageResearcher) -> Response:
    project = ctx.project
    params = ctx.request.query_params
    books, book = await _book_choice(ctx)
    steps = [s for s in params.getlist("step") if s.strip()]
    form = {
        "from": params.get("from", ""),
        "to": params.get("to", ""),
        "window": params.get("window", "14d"),
    }
    journey: JourneyMap | None = None
    error: str | None = None
    if book and steps:
        repository = ctx.repository
        try:
            funnel = Funnel.parse(
                steps,
                window=form["window"] or "14d",
                date_from=form["from"] or None,
                date_to=form["to"] or None,
            )
            journey = await on_store(
                ctx.request,
                project,
                lambda s: journey_for_book(s, book_contents(repository, project, book), funnel),
            )
            await ctx.audit("journey.read", f"book:{book}")
        except (ValueError, ThemeBookError) as exc:
            error = str(exc)
    return await project_page(
        ctx,
        "journey.html",
        active="journey",
        books=books,
        book=book,
        steps=steps + [""] * max(0, 3 - len(steps)),
        form=form,
        journey=journey,
        points=emotion_points(journey) if journey else [],
        error=error,
        status=422 if error else 200,
    )


@router.get("/projects/{project}/personas")
async def personas_page(ctx: PageResearcher) -> Response:
    project = ctx.project
    params = ctx.request.query_params
    books, book = await _book_choice(ctx)
    by = params.get("by", "").strip() or "$os"
    attrs = [a.strip() for a in params.get("attrs", "").split(",") if a.strip()]
    found: list[Persona] = []
    error: str | None = None
    if book:
        repository = ctx.repository
        try:
            found = (
                await on_store(
                    ctx.request,
                    project,
                    lambda s: personas_for_book(
                        s, book_contents(repository, project, book), by, attrs
                    ),
                )
                or []
            )
            await ctx.audit("personas.read", f"book:{book}")
        except (ValueError, ThemeBookError) as exc:
            error = str(exc)
    return await project_page(
        ctx,
        "personas.html",
        active="journey",
        books=books,
        book=book,
        by=by,
        attrs=", ".join(attrs),
        personas=found,
        error=error,
        status=422 if error else 200,
    )


@dataclass(frozen=True)
class StepContext:
    book: str | None
    steps: dict[int, JourneyStep]


async def funnel_step_context(
    request: Request, project: str, funnel: Funnel, result: FunnelResult
) -> StepContext:
    """The funnel page's inline qualitative context: each step's linked themes and
    quotes from the newest theme book (or ``?book=``), placed by the journey map's
    rules; empty when the project has no theme book."""
    repository = state(request).fieldnote.repository
    books = await run_in_threadpool(book_names, repository, project)
    book = request.query_params.get("book") or (books[0] if books else None)
    if book is None or book not in books:
        return StepContext(None, {})
    plain = replace(funnel, breakdown=None)
    journey = await on_store(
        request,
        project,
        lambda s: journey_for_result(s, book_contents(repository, project, book), plain, result),
    )
    return StepContext(book, {s.index: s for s in journey.steps} if journey else {})
