"""``POST /api/export``: ``fieldnote export`` while this server owns the event store.

DuckDB lets only the owning process open the file, so the CLI asks the server, as it
does for ``events count``. Local admin only (the token in ``server.json``): it writes
files on the server's own disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from fieldnote.web._auth import is_admin, state

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])


class ExportRequest(BaseModel):
    path: str
    project: str | None = None


@router.post("/export", include_in_schema=False)
async def export(request: Request, body: ExportRequest) -> dict[str, Any]:
    """Write a Parquet export of the store: one consistent snapshot, beside the writer."""
    if not is_admin(request):
        raise HTTPException(403, "only the local CLI (admin token in server.json) can export")
    st = state(request)
    store = st.store
    if store is None:
        raise HTTPException(
            409,
            "this server writes Parquet segments (scale-out mode), not the DuckDB store: "
            "read the segments folder with the Spark or DuckDB engine instead",
        )
    if body.project is not None and st.fieldnote.projects.get(body.project) is None:
        raise HTTPException(404, f"no project named {body.project!r}")
    from fieldnote.events.engines import ExportError, export_store  # Ibis: only when used

    def run() -> dict[str, Any]:
        with store.reader() as cur:
            return export_store(cur, Path(body.path), project=body.project).to_json()

    try:
        return await run_in_threadpool(run)
    except ExportError as exc:
        raise HTTPException(400, str(exc)) from exc
