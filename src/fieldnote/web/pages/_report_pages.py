"""Trends (a number per day or week, as a chart and a table) and retention (the cohort
heatmap). Aggregates only, so any role in the project may read them; the question
lives in the URL like the API's query parameters (``fieldnote.analytics.queries``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from fieldnote.analytics.queries import POINT_SEGMENTS, QueryError, RetentionQuery, TrendQuery
from fieldnote.analytics.retention import RetentionResult
from fieldnote.analytics.trends import TREND_BUILDERS, TrendResult
from fieldnote.web._auth import state
from fieldnote.web._project_access import PageViewer
from fieldnote.web.pages._analytics_shared import FieldErrors, names_on_store, on_store, query_url
from fieldnote.web.pages._projects import SCALE_OUT_NOTICE, project_page

__all__ = ["heat", "router", "trend_chart"]

router = APIRouter(include_in_schema=False)


METRIC_LABELS = {
    "events": "Event count, unique users or a property's sum",
    "conversion": "Funnel conversion by period of entry",
    "activation": "Activation: did TARGET within N days of START",
    "stickiness": "Stickiness: DAU, WAU, MAU",
    "churn": "Churn: active last period, not this one",
}


#: The "who are these users" button's text per metric that has point segments.
POINT_LABELS = {
    "events": "who did it",
    "conversion": "who converted",
    "activation": "who activated",
}


def trend_chart(result: TrendResult) -> dict[str, Any]:
    """Series for Plotly; a rate (points with a base) gets its 95 % band."""
    first = result.series[0].points if result.series else ()
    rates = [any(p.base is not None for p in s.points) for s in result.series]
    return {
        "kind": "rate" if all(rates) else "count",
        "x": [p.period.isoformat() for p in first],
        "series": [
            {
                "name": s.name,
                "rate": is_rate,
                "y": [p.value for p in s.points],
                "low": [p.ci_low for p in s.points],
                "high": [p.ci_high for p in s.points],
            }
            for s, is_rate in zip(result.series, rates, strict=True)
        ],
    }


@router.get("/projects/{project}/trends")
async def trends_page(ctx: PageViewer) -> Response:
    request, project = ctx.request, ctx.project
    known = await names_on_store(request, project)
    metric = request.query_params.get("metric", "events")
    pairs = list(request.query_params.multi_items())
    if metric == "events" and not request.query_params.get("event") and known:
        pairs.append(("event", known[0].name))  # a first look: the most frequent event
    errors = FieldErrors()
    query = TrendQuery.from_pairs(metric, pairs)
    result: TrendResult | None = None
    try:
        trend = query.trend()
        result = await on_store(request, project, trend.compute)
    except QueryError as exc:
        errors.add(exc)
    except ValueError as exc:
        errors.add(exc, "metric")
    steps = list(query.options.steps) + [""] * max(0, 3 - len(query.options.steps))
    return await project_page(
        ctx,
        "trends.html",
        status=422 if errors else 200,
        active="trends",
        query=query,
        o=query.options,
        metrics=METRIC_LABELS,
        known_metrics=tuple(TREND_BUILDERS),
        steps=steps,
        known=known,
        errors=errors,
        notice=SCALE_OUT_NOTICE if state(request).store is None else None,
        result=result,
        chart=trend_chart(result) if result and result.series else None,
        api_url=query_url(f"/api/projects/{project}/analytics/trend/{metric}", query.to_params()),
        point_links=POINT_LABELS.get(metric) if metric in POINT_SEGMENTS else None,
        canonical={"metric": metric, **query.to_params()},
    )


def heat(rate: float | None) -> str:
    """A cell's style: paper for nothing, deeper teal for more retained (white text
    once the teal is dark enough to need it)."""
    if rate is None:
        return "background: transparent"
    share = max(0.0, min(1.0, rate))
    ink = "; color: #fff" if share > 0.55 else ""
    return f"background: rgba(14, 124, 107, {0.08 + 0.8 * share:.2f}){ink}"


@router.get("/projects/{project}/retention")
async def retention_page(ctx: PageViewer) -> Response:
    request, project = ctx.request, ctx.project
    known = await names_on_store(request, project)
    errors = FieldErrors()
    query = RetentionQuery()
    result: RetentionResult | None = None
    try:
        query = RetentionQuery.from_pairs(request.query_params.multi_items())
        spec = query.retention()
        result = await on_store(request, project, spec.compute)
    except QueryError as exc:
        errors.add(exc)
    except ValueError as exc:
        errors.add(exc)
    return await project_page(
        ctx,
        "retention.html",
        status=422 if errors else 200,
        active="retention",
        query=query,
        known=known,
        errors=errors,
        notice=SCALE_OUT_NOTICE if state(request).store is None else None,
        result=result,
        heat=heat,
        api_url=query_url(f"/api/projects/{project}/analytics/retention", query.to_params()),
        canonical=query.to_params(),
    )
