"""JSON API under /api/: reads of a project's events (secret key or local admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from fieldnote.web._auth import require_read_access, state

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])


def _store(request: Request) -> Any:
    st = state(request)
    if st.store is None:
        raise HTTPException(
            409, "this server writes Parquet segments (scale-out mode); read them with Spark"
        )
    return st.store


@router.get("/projects/{project}/events/count")
async def events_count(request: Request, project: str) -> dict[str, int]:
    """How many events the project holds (committed ones only)."""
    require_read_access(request, project)
    store = _store(request)
    return {"count": await run_in_threadpool(store.count, project)}


@router.get("/projects/{project}/events/tail")
async def events_tail(
    request: Request, project: str, limit: Annotated[int, Query(ge=1, le=1000)] = 20
) -> dict[str, list[dict[str, Any]]]:
    """The most recently received events, oldest first."""
    require_read_access(request, project)
    store = _store(request)
    events = await run_in_threadpool(store.tail, project, limit)
    return {
        "events": [
            {
                "uuid": e.uuid,
                "distinct_id": e.distinct_id,
                "event": e.event,
                "timestamp": e.timestamp.isoformat(),
                "properties": e.properties,
                "inserted_at": e.inserted_at.isoformat() if e.inserted_at else None,
            }
            for e in events
        ]
    }
