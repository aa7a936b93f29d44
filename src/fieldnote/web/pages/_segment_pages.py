"""Saved segments: the list, one segment (its definition and size: aggregates, any
role), and its members (distinct ids: personal data, researchers and admins only,
and every read is written to the audit log).

Names may hold a slash (the CLI allows it), so the name is a ``path`` parameter and
the members route is declared first: ``a/b/members`` is segment ``a/b``'s members."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from fieldnote.analytics.queries import FunnelQuery, RetentionQuery, TrendQuery
from fieldnote.analytics.segments import (
    RetentionCellSegment,
    SegmentDefinition,
    SegmentMembers,
    SegmentSpec,
    TrendPointSegment,
    members,
    segment_from_dict,
)
from fieldnote.analytics.trends import TrendOptions
from fieldnote.repository import SavedSegments, SegmentError, SegmentRecord
from fieldnote.web._auth import state
from fieldnote.web._guards import PageForbiddenError
from fieldnote.web._project_access import PageResearcher, PageViewer, ProjectAccess
from fieldnote.web.pages._analytics_shared import on_store, query_url
from fieldnote.web.pages._projects import SCALE_OUT_NOTICE, project_page

__all__ = ["SOURCE_LINKS", "funnel_link", "router", "source_link"]

router = APIRouter(include_in_schema=False)


def funnel_link(project: str, definition: SegmentDefinition) -> str:
    """The funnel page showing the segment's funnel (same steps, window, order, dates)."""
    f = definition.funnel
    query = FunnelQuery(
        steps=tuple(str(s) for s in f.steps),
        window=f.to_dict()["window"],
        strict=f.order.value == "strict",
        date_from=f.dates.start.date().isoformat() if f.dates.start else None,
        date_to=(f.dates.end - timedelta(microseconds=1)).date().isoformat()
        if f.dates.end
        else None,
    )
    return query_url(f"/projects/{project}/funnels", query.to_params())


def _trend_link(project: str, definition: TrendPointSegment) -> str:
    """The event trend around the point: its event and interval, the point's period."""
    last = definition.period + timedelta(days=definition.interval.days - 1)
    query = TrendQuery(
        metric="events",
        options=TrendOptions(
            event=str(definition.step),
            measure="users",
            interval=definition.interval.value,
            date_from=definition.period.isoformat(),
            date_to=last.isoformat(),
        ),
    )
    return query_url(f"/projects/{project}/trends", {"metric": "events", **query.to_params()})


def _retention_link(project: str, definition: RetentionCellSegment) -> str:
    """The retention table with the cell's cohort as its only row."""
    query = RetentionQuery(
        start=None if definition.start is None else str(definition.start),
        returning=None if definition.returning is None else str(definition.returning),
        interval=definition.interval.value,
        periods=max(8, definition.offset or 0),
        date_from=definition.cohort.isoformat(),
        date_to=definition.cohort.isoformat(),
    )
    return query_url(f"/projects/{project}/retention", query.to_params())


#: kind → (the page the segment came from, its label); funnels keep ``funnel_link``.
SOURCE_LINKS: dict[str, tuple[Callable[[str, Any], str], str]] = {
    SegmentDefinition.kind: (funnel_link, "the funnel"),
    TrendPointSegment.kind: (_trend_link, "the trend"),
    RetentionCellSegment.kind: (_retention_link, "the retention table"),
}


def source_link(project: str, definition: SegmentSpec) -> tuple[str, str] | None:
    """(href, label) of the analytics page the segment came from, when known."""
    found = SOURCE_LINKS.get(definition.kind)
    return None if found is None else (found[0](project, definition), found[1])


def _load(request: Request, project: str, name: str) -> tuple[SegmentRecord, SegmentSpec]:
    try:
        record = SavedSegments(state(request).fieldnote.repository).get(project, name)
        return record, segment_from_dict(record.definition)
    except SegmentError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    except (ValueError, KeyError) as exc:
        raise PageForbiddenError(404, f"segment {name!r} cannot be read: {exc}") from None


def _evaluate(definition: SegmentSpec, limit: int) -> Any:
    return lambda src: members(src, definition, limit=limit)


@router.get("/projects/{project}/segments")
async def segments_page(ctx: PageViewer) -> Response:
    request, project = ctx.request, ctx.project
    records = await ctx.run(lambda: SavedSegments(ctx.repository).list(project))
    rows: list[dict[str, Any]] = []
    for r in records:
        try:
            definition = segment_from_dict(r.definition)
        except (ValueError, KeyError) as exc:
            rows.append({"record": r, "description": f"unreadable: {exc}", "size": None})
            continue
        found: SegmentMembers | None = await on_store(request, project, _evaluate(definition, 0))
        rows.append(
            {
                "record": r,
                "description": definition.describe(),
                "size": found.size if found else None,
                "href": f"/projects/{project}/segments/{quote(r.name, safe='')}",
            }
        )
    return await project_page(
        ctx,
        "segments.html",
        active="segments",
        rows=rows,
        notice=SCALE_OUT_NOTICE if state(request).store is None else None,
    )


async def _segment_view(ctx: ProjectAccess, name: str, *, template: str, limit: int) -> Response:
    """One segment evaluated now with up to ``limit`` members; a read of members
    (``limit`` > 0) is personal data, so it is audited before the page is built."""
    request, project = ctx.request, ctx.project
    record, definition = await run_in_threadpool(_load, request, project, name)
    found = await on_store(request, project, _evaluate(definition, limit))
    if found is not None and limit > 0:
        await ctx.audit(
            "personal_data.read",
            f"segment:{name}",
            {"page": "segments/members", "rows": len(found.members)},
        )
    href = f"/projects/{project}/segments/{quote(name, safe='')}"
    return await project_page(
        ctx,
        template,
        active="segments",
        record=record,
        definition=definition,
        found=found,
        limit=limit,
        segment_href=href,
        members_href=f"{href}/members",
        source=source_link(project, definition),
        notice=SCALE_OUT_NOTICE if state(request).store is None else None,
    )


@router.get("/projects/{project}/segments/{name:path}/members")
async def segment_members_page(
    ctx: PageResearcher,
    name: str,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> Response:
    """Who is in the segment now: personal data, so the read is audited."""
    return await _segment_view(ctx, name, template="segment_members.html", limit=limit)


@router.get("/projects/{project}/segments/{name:path}")
async def segment_page(ctx: PageViewer, name: str) -> Response:
    """The definition and the size now (aggregates: any role)."""
    return await _segment_view(ctx, name, template="segment.html", limit=0)
