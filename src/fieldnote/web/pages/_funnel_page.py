"""The funnel builder and its results, and "who are these users" (a saved segment).

The whole question lives in the URL (``step``/``event``+``where``, ``window``,
``strict``, ``breakdown``, ``from``, ``to``, plus ``over`` and ``layout`` for the
display), so a funnel is shared by copying the address. Results are aggregates (any
role); the drop-off and conversion links POST (CSRF) to save or reopen the segment of
those users and lead to its members page, which needs the personal-data permission.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from fieldnote.analytics.funnels import (
    Breakdown,
    Funnel,
    FunnelResult,
    FunnelStep,
    compute_funnel,
)
from fieldnote.analytics.queries import EventName, FunnelQuery, QueryError, unknown_event
from fieldnote.analytics.segments import SegmentDefinition
from fieldnote.web._auth import state
from fieldnote.web._project_access import PageViewer, PageWriter
from fieldnote.web.pages._analytics_shared import (
    FieldErrors,
    names_on_store,
    on_store,
    query_url,
)
from fieldnote.web.pages._discovery_pages import funnel_step_context
from fieldnote.web.pages._funnel_view import breakdown_rows, over_time_chart, step_views
from fieldnote.web.pages._projects import SCALE_OUT_NOTICE, project_page
from fieldnote.web.pages._segment_links import open_segment

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


_OVER = {"day": "time.day", "week": "time.week"}
_BREAKDOWN_SUGGESTIONS = ("$browser", "$os", "platform", "person.plan", "person.country")


@dataclass(frozen=True)
class _Computed:
    result: FunnelResult
    over_time: FunnelResult


def _compute(funnel: Funnel, over: str) -> Any:
    def run(src: Any) -> _Computed:
        result = compute_funnel(src, funnel)
        by_time = Breakdown.parse(_OVER.get(over, "time.week"))
        timed = compute_funnel(src, replace(funnel, breakdown=by_time))
        return _Computed(result=result, over_time=timed)

    return run


def _check_events(query: FunnelQuery, known: list[EventName], errors: FieldErrors) -> None:
    """Name every step whose event the project never saw (all at once, beside the
    other errors), rather than answering with a funnel of zeros."""
    if not known:
        return  # an empty project: nothing to check against (the result shows zeros)
    for i, text in enumerate(query.steps):
        try:
            step = FunnelStep.parse(text)
        except ValueError:
            continue  # query.funnel() reports the syntax
        why = unknown_event(step, known)
        if why is not None:
            errors.by_field.setdefault(f"step-{i + 1}", f"step {i + 1}: {why}")


@router.get("/projects/{project}/funnels")
async def funnel_page(ctx: PageViewer) -> Response:
    request = ctx.request
    project = ctx.project
    pairs = request.query_params.multi_items()
    over = request.query_params.get("over", "week")
    over = over if over in _OVER else "week"
    layout = "vertical" if request.query_params.get("layout") == "vertical" else "horizontal"
    errors = FieldErrors()
    try:
        query = FunnelQuery.from_pairs(pairs)
    except QueryError as exc:
        errors.add(exc)
        query = FunnelQuery()
    known = await names_on_store(request, project)
    notice = SCALE_OUT_NOTICE if state(request).store is None else None
    asked = bool(query.steps) or bool(errors)
    computed: _Computed | None = None
    funnel: Funnel | None = None
    if asked and not errors:
        _check_events(query, known, errors)
        try:
            funnel = query.funnel()
        except QueryError as exc:
            errors.add(exc)
    if funnel is not None and not errors:
        try:
            computed = await on_store(request, project, _compute(funnel, over))
        except ValueError as exc:  # e.g. a property the engine cannot read
            errors.add(exc)
    rows = query.step_rows() or [("", ""), ("", "")]
    canonical = query.to_params()
    context: dict[str, Any] = {
        "query": query,
        "rows": rows,
        "errors": errors,
        "known": known,
        "over": over,
        "layout": layout,
        "notice": notice,
        "asked": asked,
        "breakdown_suggestions": _BREAKDOWN_SUGGESTIONS,
        "share_url": query_url(
            f"/projects/{project}/funnels", {**canonical, "over": over, "layout": layout}
        ),
        "api_url": query_url(f"/api/projects/{project}/analytics/funnel", canonical),
        "canonical": canonical,
        "steps": [],
        "breakdown": [],
        "chart": None,
    }
    context["step_context"], context["context_book"] = {}, None
    if computed is not None and funnel is not None:
        inline = await funnel_step_context(request, project, funnel, computed.result)
        context["step_context"], context["context_book"] = inline.steps, inline.book
    if computed is not None:
        context["steps"] = step_views(computed.result.steps)
        context["breakdown"] = breakdown_rows(computed.result)
        context["chart"] = over_time_chart(computed.over_time)
    return await project_page(
        ctx,
        "funnels.html",
        status=422 if errors else 200,
        active="funnels",
        **context,
    )


@router.post("/projects/{project}/funnels/segment")
async def funnel_segment(ctx: PageWriter) -> Response:
    """Save (or reopen) the segment behind a drop-off or conversion, then show who."""
    request = ctx.request
    form = await request.form()
    pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    at = str(form.get("at", ""))
    kind = str(form.get("kind", ""))
    try:
        funnel = FunnelQuery.from_pairs(pairs).funnel(breakdown=None)
        if not at.isdigit() or kind not in ("dropped", "reached"):
            raise ValueError("give at=K (a step number) and kind=dropped or kind=reached")
        definition = SegmentDefinition(funnel=funnel, step=int(at), dropped=kind == "dropped")
    except ValueError as exc:
        return await project_page(
            ctx, "error.html", status=422, title="Cannot make that segment", message=str(exc)
        )
    return await open_segment(ctx, definition)
