"""Analytics over HTTP: the CLI's ``funnel`` (and friends) while a server owns the store.

The handlers parse the same strings the CLI options carry and call the same library
functions (``fieldnote.analytics``) on a cursor beside the writer, so a result is the
same whether the CLI computed it itself or asked the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Query

from fieldnote.analytics import EventSource, store_source
from fieldnote.analytics.explain import explain as explain_change
from fieldnote.analytics.funnels import compute_funnel
from fieldnote.analytics.queries import ExplainQuery, FunnelQuery, RetentionQuery, TrendQuery
from fieldnote.analytics.segments import SegmentSpec, members, segment_from_dict
from fieldnote.analytics.trends import TrendOptions
from fieldnote.repository import SavedSegments, SegmentError
from fieldnote.web._project_access import (
    NO_ERRORS,
    CanReadPersonal,
    CanView,
    ErrorMap,
    ProjectAccess,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["analytics"])

T = TypeVar("T")
INVALID = ErrorMap({ValueError: 422})
"""A query the events cannot answer as asked."""


def _parse(make: Callable[[], T]) -> T:
    """Build a query's spec; a bad option is a 422 naming it (the library's message)."""
    try:
        return make()
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


async def _on_store(
    ctx: ProjectAccess, compute: Callable[[EventSource], T], errors: ErrorMap = NO_ERRORS
) -> T:
    """``compute`` on a cursor beside the writer, in the thread pool."""

    def run() -> T:
        store = ctx.state.store
        if store is None:
            raise HTTPException(
                409, "this server writes Parquet segments (scale-out mode); run analytics on Spark"
            )
        with store.reader() as cur:
            return compute(store_source(cur, ctx.project))

    return await ctx.run(run, errors)


@router.get("/projects/{project}/analytics/funnel")
async def funnel(
    ctx: CanView,
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
    spec = _parse(query.funnel)
    result = await _on_store(ctx, lambda src: compute_funnel(src, spec))
    out: dict[str, Any] = result.to_dict()
    return out


@router.get("/projects/{project}/analytics/trend/{metric}")
async def trend(
    ctx: CanView,
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
    spec = _parse(query.trend)
    result = await _on_store(ctx, spec.compute, INVALID)
    out: dict[str, Any] = result.to_dict()
    return out


@router.get("/projects/{project}/analytics/retention")
async def retention(
    ctx: CanView,
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
    spec = _parse(query.retention)
    result = await _on_store(ctx, spec.compute)
    out: dict[str, Any] = result.to_dict()
    return out


@router.get("/projects/{project}/analytics/explain/{metric}")
async def explain(
    ctx: CanView,
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
    spec, periods, dims = _parse(lambda: (query.rate(), query.periods(), query.dimensions()))
    result = await _on_store(
        ctx, lambda src: explain_change(src, spec, periods[0], periods[1], dims), INVALID
    )
    out: dict[str, Any] = result.to_dict()
    return out


def _segment(ctx: ProjectAccess, name: str) -> SegmentSpec:
    try:
        record = SavedSegments(ctx.repository).get(ctx.project, name)
        return segment_from_dict(record.definition)
    except SegmentError as exc:
        raise HTTPException(404, str(exc)) from exc
    except (ValueError, KeyError) as exc:
        raise HTTPException(422, f"segment {name!r} cannot be read: {exc}") from exc


@router.get("/projects/{project}/segments/{name}")
async def segment_size(ctx: CanView, name: str) -> dict[str, Any]:
    """A saved segment's definition and how many persons are in it now (no identities)."""
    definition = await ctx.run(lambda: _segment(ctx, name))
    found = await _on_store(ctx, lambda src: members(src, definition, limit=0))
    out: dict[str, Any] = found.to_dict()
    out.pop("members")
    return {"name": name, **out}


@router.get("/projects/{project}/segments/{name}/members")
async def segment_members(
    ctx: CanReadPersonal,
    name: str,
    limit: Annotated[int, Query(ge=0, le=100_000)] = 100,
) -> dict[str, Any]:
    """The persons in a saved segment now, with their distinct ids (personal data:
    researchers and admins only, and audited)."""
    definition = await ctx.run(lambda: _segment(ctx, name))
    found = await _on_store(ctx, lambda src: members(src, definition, limit=limit))
    await ctx.audit(
        "personal_data.read",
        f"segment:{name}",
        {"api": "segments/members", "rows": len(found.members)},
    )
    return {"name": name, **found.to_dict()}
