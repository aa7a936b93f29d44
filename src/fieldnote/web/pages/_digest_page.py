"""The weekly digest page: the same digest ``fieldnote digest`` prints and the
scheduler emails, for any ISO week (``?week=YYYY-Www``, default the current one), with
Markdown and HTML downloads. Aggregates and research texts only (no contact details),
so any role in the project may read it, like the questions page."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from fieldnote.monitors import DIGEST_FORMATS, Week
from fieldnote.web._digest_api import compute_digest
from fieldnote.web._project_access import PageViewer
from fieldnote.web.pages._projects import project_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
MEDIA = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


@router.get("/projects/{project}/digest")
async def digest_page(ctx: PageViewer) -> Response:
    request, project = ctx.request, ctx.project
    raw = request.query_params.get("week", "")
    fmt = request.query_params.get("format", "")
    error = None
    try:
        week = Week.parse(raw) if raw else Week.of(datetime.now(UTC).date())
    except ValueError as exc:
        error, week = str(exc), Week.of(datetime.now(UTC).date())
    if fmt and fmt not in DIGEST_FORMATS:
        error = f"format: one of {', '.join(DIGEST_FORMATS)}, not {fmt!r}"
    digest = await run_in_threadpool(compute_digest, request, project, week)
    if fmt and error is None:
        return Response(
            DIGEST_FORMATS[fmt](digest),
            media_type=MEDIA[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="{project}-digest-{week}.{fmt}"'
            },
        )
    return await project_page(
        ctx,
        "digest.html",
        status=422 if error else 200,
        active="monitors",
        digest=digest.to_dict(),
        week=str(week),
        previous=str(week.previous()),
        following=str(Week.of(week.end.date())),
        error=error,
    )
