"""The weekly digest as JSON (docs/api.md, "Monitors …"): the same ``Digest`` the page
shows, ``fieldnote digest`` prints and the scheduler emails, for any ISO week.

Aggregates and research texts only, no contact details: any role in the project may
read it (``project.view``), like the page. A malformed or impossible week is a 422
whose message starts with ``week:``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from fieldnote.analytics import store_source
from fieldnote.monitors import Digest, Week, build_digest
from fieldnote.web._auth import state
from fieldnote.web._project_access import CanView

__all__ = ["compute_digest", "router"]

router = APIRouter(prefix="/api", tags=["digest"])


def compute_digest(request: Request, project: str, week: Week) -> Digest:
    """The digest on the server's own event store (none in scale-out mode: then
    without the week's anomaly numbers that need events)."""
    fn = state(request).fieldnote
    store = state(request).store
    if store is None:
        return build_digest(fn.repository, project, week)
    with store.reader() as cur:
        return build_digest(fn.repository, project, week, source=store_source(cur, project))


@router.get("/projects/{project}/digest")
async def digest(ctx: CanView, week: str | None = None) -> dict[str, Any]:
    """``?week=YYYY-Www`` (default: the current week): anomalies, open questions with
    their age, interviews done, new themes, hypotheses decided, release verdicts."""
    try:
        chosen = Week.parse(week) if week else Week.of(datetime.now(UTC).date())
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    found = await ctx.run(lambda: compute_digest(ctx.request, ctx.project, chosen))
    return found.to_dict()
