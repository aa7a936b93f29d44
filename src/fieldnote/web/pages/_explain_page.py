"""Explain a change: a rate (activation or funnel conversion) in two periods, split per
dimension into mix (segments' shares moved) and rate (rates moved inside segments),
with two-proportion tests and the Simpson's-paradox flag. Aggregates only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from fieldnote.analytics.explain import RATE_METRICS, ExplainResult
from fieldnote.analytics.explain import explain as explain_change
from fieldnote.analytics.queries import ExplainQuery, QueryError
from fieldnote.web._auth import state
from fieldnote.web._project_access import PageViewer
from fieldnote.web.pages._analytics_shared import FieldErrors, names_on_store, on_store, query_url
from fieldnote.web.pages._projects import SCALE_OUT_NOTICE, project_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _compute(query: ExplainQuery) -> Any:
    """Read every field before the store is touched (errors name their field)."""
    spec, periods, dims = query.rate(), query.periods(), query.dimensions()
    return lambda src: explain_change(src, spec, periods[0], periods[1], dims)


@router.get("/projects/{project}/explain")
async def explain_page(ctx: PageViewer) -> Response:
    request, project = ctx.request, ctx.project
    known = await names_on_store(request, project)
    metric = request.query_params.get("metric", "activation")
    query = ExplainQuery.from_pairs(metric, request.query_params.multi_items())
    asked = bool(query.before or query.after or query.by)
    errors = FieldErrors()
    result: ExplainResult | None = None
    if asked:
        try:
            result = await on_store(request, project, _compute(query))
        except QueryError as exc:
            errors.add(exc)
        except ValueError as exc:  # e.g. nobody entered in a period
            errors.add(exc)
    steps = list(query.steps) + [""] * max(0, 3 - len(query.steps))
    return await project_page(
        ctx,
        "explain.html",
        status=422 if errors else 200,
        active="explain",
        query=query,
        metrics=tuple(RATE_METRICS),
        steps=steps,
        known=known,
        errors=errors,
        asked=asked,
        result=result,
        notice=SCALE_OUT_NOTICE if state(request).store is None else None,
        api_url=query_url(f"/api/projects/{project}/analytics/explain/{metric}", query.to_params()),
    )
