"""Analytics over HTTP: the CLI's ``funnel`` (and friends) while a server owns the store.

The handlers parse the same strings the CLI options carry and call the same library
functions (``fieldnote.analytics``) on a cursor beside the writer, so a result is the
same whether the CLI computed it itself or asked the server.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from fieldnote.analytics import store_source
from fieldnote.analytics.explain import explain as explain_change
from fieldnote.analytics.funnels import compute_funnel
from fieldnote.analytics.queries import ExplainQuery, FunnelQuery, RetentionQuery, TrendQuery
from fieldnote.analytics.segments import SegmentSpec, members, segment_from_dict
from fieldnote.analytics.trends import TrendOptions
from fieldnote.repository import Permission, SavedSegments, SegmentError
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["analytics"])

CanView = Annotated[Access, Depends(Guard(Permission.VIEW_PROJECT))]
CanReadPersonal = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA))]


def _on_store(request: Request, project: str, compute: Any) -> Any:
    store = state(request).store
    if store is None:
        raise HTTPException(
            409, "this server writes Parquet segments (scale-out mode); run analytics on Spark"
        )
    with store.reader() as cur:
        return compute(store_source(cur, project))


@router.get("/projects/{project}/analytics/funnel")
async def funnel(
    request: Request,
    access: CanView,
    step: Annotated[list[str], Query(description="Steps in order, in the step syntax.")],
    window: str = "14d",
    strict: bool = False,
    breakdown: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Users per step, conversion with 95 % Wilson intervals, time to convert
    (docs/analytics.md). Aggregates only: any role in the project may read it."""
    query = FunnelQuery(
        steps=tuple(step),
        window=window,
        strict=strict,
        breakdown=breakdown,
        date_from=date_from,
        date_to=date_to,
    )
    try:
        spec = query.funnel()
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    result = await run_in_threadpool(
        _on_store, request, access.project_name, lambda src: compute_funnel(src, spec)
    )
    out: dict[str, Any] = result.to_dict()
    return out


@router.get("/projects/{project}/analytics/trend/{metric}")
async def trend(
    request: Request,
    access: CanView,
    metric: str,
    event: str | None = None,
    measure: str = "count",
    step: Annotated[list[str] | None, Query()] = None,
    window: str = "14d",
    start: str = "signup",
    target: str = "activated",
    within: str = "7d",
    interval: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """A series per day or week: ``events``, ``conversion``, ``activation``,
    ``stickiness`` or ``churn`` (docs/analytics.md, "Trends")."""
    query = TrendQuery(
        metric,
        TrendOptions(
            event=event,
            measure=measure,
            steps=tuple(step or ()),
            window=window,
            start=start,
            target=target,
            within=within,
            interval=interval,
            date_from=date_from,
            date_to=date_to,
        ),
    )
    try:
        spec = query.trend()
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    try:
        result = await run_in_threadpool(
            _on_store, request, access.project_name, lambda src: spec.compute(src)
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    out: dict[str, Any] = result.to_dict()
    return out


@router.get("/projects/{project}/analytics/retention")
async def retention(
    request: Request,
    access: CanView,
    start: str | None = None,
    returning: Annotated[str | None, Query(alias="return")] = None,
    interval: str = "week",
    periods: Annotated[int, Query(ge=1, le=366)] = 8,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Cohorts by first START, share doing RETURN in each following period."""
    query = RetentionQuery(
        start=start,
        returning=returning,
        interval=interval,
        periods=periods,
        date_from=date_from,
        date_to=date_to,
    )
    try:
        spec = query.retention()
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    result = await run_in_threadpool(
        _on_store, request, access.project_name, lambda src: spec.compute(src)
    )
    out: dict[str, Any] = result.to_dict()
    return out


@router.get("/projects/{project}/analytics/explain/{metric}")
async def explain(
    request: Request,
    access: CanView,
    metric: str,
    before: str,
    after: str,
    by: str,
    start: str = "signup",
    target: str = "activated",
    within: str = "7d",
    step: Annotated[list[str] | None, Query()] = None,
    window: str = "14d",
) -> dict[str, Any]:
    """Mix versus rate decomposition of a rate's change between two periods."""
    query = ExplainQuery(
        metric=metric,
        before=before,
        after=after,
        by=by,
        start=start,
        target=target,
        within=within,
        steps=tuple(step or ()),
        window=window,
    )
    try:
        spec, periods, dims = query.rate(), query.periods(), query.dimensions()
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    try:
        result = await run_in_threadpool(
            _on_store,
            request,
            access.project_name,
            lambda src: explain_change(src, spec, periods[0], periods[1], dims),
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    out: dict[str, Any] = result.to_dict()
    return out


def _segment(request: Request, project: str, name: str) -> SegmentSpec:
    try:
        record = SavedSegments(state(request).fieldnote.repository).get(project, name)
        return segment_from_dict(record.definition)
    except SegmentError as exc:
        raise HTTPException(404, str(exc)) from exc
    except (ValueError, KeyError) as exc:
        raise HTTPException(422, f"segment {name!r} cannot be read: {exc}") from exc


@router.get("/projects/{project}/segments/{name}")
async def segment_size(request: Request, access: CanView, name: str) -> dict[str, Any]:
    """A saved segment's definition and how many persons are in it now (no identities)."""
    definition = await run_in_threadpool(_segment, request, access.project_name, name)
    found = await run_in_threadpool(
        _on_store, request, access.project_name, lambda src: members(src, definition, limit=0)
    )
    out: dict[str, Any] = found.to_dict()
    out.pop("members")
    return {"name": name, **out}


@router.get("/projects/{project}/segments/{name}/members")
async def segment_members(
    request: Request,
    access: CanReadPersonal,
    name: str,
    limit: Annotated[int, Query(ge=0, le=100_000)] = 100,
) -> dict[str, Any]:
    """The persons in a saved segment now, with their distinct ids (personal data:
    researchers and admins only, and audited)."""
    definition = await run_in_threadpool(_segment, request, access.project_name, name)
    found = await run_in_threadpool(
        _on_store, request, access.project_name, lambda src: members(src, definition, limit=limit)
    )
    await run_in_threadpool(
        state(request).fieldnote.audit.record,
        actor=access.principal.actor,
        action="personal_data.read",
        project=access.project_name,
        target=f"segment:{name}",
        detail={"api": "segments/members", "rows": len(found.members)},
        ip=client_ip(request),
    )
    return {"name": name, **found.to_dict()}
