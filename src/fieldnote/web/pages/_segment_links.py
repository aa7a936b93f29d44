""" "Who are these users" behind a trend point and a retention cell.

The trends table and the retention heatmap are forms: each point or cell is a submit
button that POSTs (CSRF) the question as it stands in the URL plus which point or
cell, to the routes here. They save (or reopen) the segment of those users under a
stable name, exactly as the funnel page does for a drop-off, and lead to its members
page, which needs the personal-data permission and audits the read. Saving is
research work (researcher or admin), like the funnel's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.analytics.queries import (
    QueryError,
    RetentionQuery,
    TrendQuery,
    retention_cell_segment,
    trend_point_segment,
)
from fieldnote.analytics.segments import SegmentSpec
from fieldnote.repository import SavedSegments, SegmentError
from fieldnote.web._project_access import PageWriter, ProjectAccess
from fieldnote.web.pages._projects import project_page
from fieldnote.web.pages._render import SECURITY_HEADERS

__all__ = ["open_segment", "router", "stable_name"]

router = APIRouter(include_in_schema=False)


def stable_name(definition: SegmentSpec) -> str:
    """The same question reopens the same saved segment instead of piling up copies."""
    text = json.dumps(definition.to_dict(), sort_keys=True).encode()
    digest = hashlib.sha256(text).hexdigest()[:8]
    return f"{definition.label()[:88]} · {digest}".replace("/", "-")


async def open_segment(ctx: ProjectAccess, definition: SegmentSpec) -> Response:
    """Save ``definition`` under its stable name (unless saved already) and redirect to
    its members page."""
    project = ctx.project
    name = stable_name(definition)
    segments = SavedSegments(ctx.repository)

    def save() -> None:
        try:
            segments.get(project, name)
        except SegmentError:
            # A concurrent click may save it first: the same definition, so reopen it.
            with contextlib.suppress(SegmentError):
                segments.create(project, name, definition.to_dict(), created_by=ctx.actor)

    await run_in_threadpool(save)
    target = f"/projects/{project}/segments/{quote(name, safe='')}/members"
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


async def _refused(ctx: ProjectAccess, exc: ValueError) -> Response:
    where = f"{exc.field}: " if isinstance(exc, QueryError) else ""
    return await project_page(
        ctx,
        "error.html",
        status=422,
        title="Cannot make that segment",
        message=f"{where}{exc.message if isinstance(exc, QueryError) else exc}",
    )


async def _form_pairs(request: Request) -> list[tuple[str, str]]:
    form = await request.form()
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"]


@router.post("/projects/{project}/trends/segment")
async def trend_segment(ctx: PageWriter) -> Response:
    """The users behind one point of the trend (form: the trend's fields, ``metric``
    and ``period``, the point's first day)."""
    request = ctx.request
    pairs = await _form_pairs(request)
    values = dict(pairs)
    try:
        query = TrendQuery.from_pairs(values.get("metric", "events"), pairs)
        definition = trend_point_segment(query, values.get("period"))
    except ValueError as exc:
        return await _refused(ctx, exc)
    return await open_segment(ctx, definition)


@router.post("/projects/{project}/retention/segment")
async def retention_segment(ctx: PageWriter) -> Response:
    """A cohort or one cell of the retention table (form: its fields and ``cell`` =
    ``COHORT``, ``COHORT/K`` or ``COHORT/K/not``)."""
    request = ctx.request
    pairs = await _form_pairs(request)
    try:
        query = RetentionQuery.from_pairs(pairs)
        definition = retention_cell_segment(query, dict(pairs).get("cell"))
    except ValueError as exc:
        return await _refused(ctx, exc)
    return await open_segment(ctx, definition)
