"""Hypotheses, time-to-diagnosis and repository search over HTTP (docs/api.md).

Hypotheses and their evidence references are research notes about aggregates and
themes; any role in the project may read them. Adding, linking and moving a status is
research work (``Permission.WRITE_RESEARCH``); each write also lands in the audit log,
on top of the hypothesis's own status history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from fieldnote.repository import (
    HypothesisError,
    HypothesisNotFoundError,
    HypothesisRecord,
    HypothesisStore,
    ResearchStore,
    SearchError,
    SearchHit,
    SearchStore,
    SegmentError,
)
from fieldnote.repository._search import search_filters
from fieldnote.research import QuestionTimes, diagnosis_trend
from fieldnote.web._auth import state
from fieldnote.web._project_access import CanView, CanWrite, ErrorMap, ProjectAccess

__all__ = ["router", "search_hits"]

router = APIRouter(prefix="/api", tags=["research"])

ERRORS = ErrorMap({HypothesisNotFoundError: 404, HypothesisError: 422})


class HypothesisIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class StatusIn(BaseModel):
    status: str
    reason: str = Field(default="", max_length=2000)


class EvidenceIn(BaseModel):
    kind: str
    ref: str = Field(min_length=1, max_length=200)
    stance: str = "supports"
    excerpt: str | None = Field(default=None, max_length=5000)


def _store(ctx: ProjectAccess) -> HypothesisStore:
    return HypothesisStore(ctx.repository)


async def _write(
    ctx: ProjectAccess, action: str, call: Callable[[], HypothesisRecord]
) -> dict[str, Any]:
    """Run a store write, map its errors to 404/422, audit it, return the record."""
    record = await ctx.run(call, ERRORS)
    await ctx.audit(action, f"hypothesis:{record.id}", {"status": record.status})
    return record.to_dict()


@router.get("/projects/{project}/hypotheses")
async def list_hypotheses(
    ctx: CanView, question: int | None = None, status: str | None = None
) -> dict[str, Any]:
    """Hypotheses with evidence and status history (filter by question, status)."""
    found = await ctx.run(
        lambda: _store(ctx).list(ctx.project, question_id=question, status=status), ERRORS
    )
    return {"hypotheses": [h.to_dict() for h in found]}


@router.post("/projects/{project}/questions/{question_id}/hypotheses", status_code=201)
async def add_hypothesis(ctx: CanWrite, question_id: int, body: HypothesisIn) -> dict[str, Any]:
    return await _write(
        ctx,
        "hypothesis.add",
        lambda: _store(ctx).add(ctx.project, question_id, body.text, actor=ctx.actor),
    )


@router.post("/projects/{project}/hypotheses/{hypothesis_id}/status")
async def set_status(ctx: CanWrite, hypothesis_id: int, body: StatusIn) -> dict[str, Any]:
    return await _write(
        ctx,
        "hypothesis.status",
        lambda: _store(ctx).set_status(
            ctx.project, hypothesis_id, body.status, actor=ctx.actor, reason=body.reason
        ),
    )


@router.post("/projects/{project}/hypotheses/{hypothesis_id}/evidence")
async def link_evidence(ctx: CanWrite, hypothesis_id: int, body: EvidenceIn) -> dict[str, Any]:
    return await _write(
        ctx,
        "hypothesis.link",
        lambda: _store(ctx).link(
            ctx.project,
            hypothesis_id,
            kind=body.kind,
            ref=body.ref,
            stance=body.stance,
            excerpt=body.excerpt,
            actor=ctx.actor,
        ),
    )


@router.get("/projects/{project}/time-to-diagnosis")
async def time_to_diagnosis(ctx: CanView) -> dict[str, Any]:
    """Median opened → diagnosed hours per week of diagnosis, with counts."""
    questions = await ctx.run(lambda: ResearchStore(ctx.repository).list(ctx.project))
    weeks = diagnosis_trend(
        QuestionTimes(question_id=q.id, opened_at=q.opened_at, diagnosed_at=q.diagnosed_at)
        for q in questions
    )
    return {"weeks": [w.to_dict() for w in weeks]}


@router.get("/projects/{project}/search")
async def search(
    ctx: CanView,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    kind: Annotated[list[str] | None, Query()] = None,
    study: int | None = None,
    tag: str | None = None,
    step: str | None = None,
    segment: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Full-text search; hits are redacted, utterances carry interview id + start.
    ``step``: notes tagged ``step:EVENT``; ``segment``: what a saved segment's people said."""
    try:
        hits = await search_hits(
            ctx.request,
            ctx.project,
            q,
            kinds=kind or (),
            study=study,
            tag=tag,
            step=step,
            segment=segment,
            since=since,
            until=until,
            limit=limit,
        )
    except (SearchError, SegmentError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"hits": [h.to_dict() for h in hits]}


async def search_hits(
    request: Request,
    project: str,
    q: str,
    *,
    segment: str | None = None,
    **typed: Any,
) -> list[SearchHit]:
    """Parse the filters (``search_filters``), resolve a segment on the events, search.
    Shared by the API and the search page; raises SearchError/SegmentError/ValueError."""
    repository = state(request).fieldnote.repository
    people = None
    if segment and segment.strip():
        from fieldnote.evidence._stored import segment_participants
        from fieldnote.web.pages._analytics_shared import on_store

        people = await on_store(
            request,
            project,
            lambda source: segment_participants(source, repository, project, segment.strip()),
        )
        if people is None:
            raise SearchError("segment: needs the event store (not available in scale-out mode)")
    filters = search_filters(participants=people, **typed)
    store = SearchStore(repository)
    return await run_in_threadpool(store.search, project, q, filters)


@router.post("/projects/{project}/search/reindex")
async def reindex(ctx: CanWrite) -> dict[str, Any]:
    """Rebuild the project's search index (after imports or a synthesis run)."""
    count = await ctx.run(lambda: SearchStore(ctx.repository).reindex(ctx.project))
    return {"indexed": count}
