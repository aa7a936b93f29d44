"""``POST /api/import``: ``fieldnote import`` while this server owns the event store.

DuckDB lets one process write the file, and while the server runs that process is
the server: the CLI sends the request here and the import runs on the group-commit
writer thread (``writer.call``), between capture commits, on the store's own
connection. Local admin only (the token in ``server.json``): it reads a file from the
server's own disk.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from fieldnote.events import WriterClosedError
from fieldnote.events.importing import (
    ImportFailedError,
    ImportInputError,
    ImportRequest,
    check_file,
    import_into_store,
    infer_format,
    parse_field_map,
)
from fieldnote.repository import DEFAULT_PROJECT
from fieldnote.web._auth import bearer_token, is_admin, state

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])


class ImportBody(BaseModel):
    """What ``fieldnote import`` sends: an absolute path on this machine."""

    path: str
    project: str = DEFAULT_PROJECT
    format: str | None = None
    map: str | dict[str, str] | None = None


@router.post("/import", include_in_schema=False)
async def import_file(request: Request, body: ImportBody) -> dict[str, Any]:
    """Import a file into the store on the writer thread; answer once it is committed."""
    if not is_admin(request):
        if bearer_token(request) is None:
            raise HTTPException(401, "importing needs the local admin token (server.json)")
        raise HTTPException(403, "only the local CLI (admin token in server.json) can import")
    st = state(request)
    store = st.store
    if store is None:
        raise HTTPException(
            409,
            "this server writes Parquet segments (scale-out mode), not the DuckDB store: "
            "import into the store with the server stopped",
        )
    path = Path(body.path)
    if not path.is_absolute():
        raise HTTPException(400, f"path must be absolute on the server's machine: {body.path!r}")
    try:
        check_file(path)
        infer_format(path, body.format)
        parse_field_map(body.map)
    except ImportInputError as exc:
        raise HTTPException(400, str(exc)) from exc
    project = await run_in_threadpool(st.fieldnote.projects.get, body.project)
    if project is None:
        raise HTTPException(404, f"no project named {body.project!r}")
    settings = st.fieldnote.settings
    job = ImportRequest(
        path=path,
        project=project.name,
        format=body.format,
        field_map=body.map,
        oldest_year=settings.oldest_timestamp_year,
        future_tolerance=timedelta(seconds=settings.future_tolerance_seconds),
    )
    try:
        result = await asyncio.wrap_future(st.writer.call(lambda: import_into_store(store, job)))
    except ImportInputError as exc:
        raise HTTPException(400, str(exc)) from exc
    except ImportFailedError as exc:
        raise HTTPException(422, str(exc)) from exc
    except WriterClosedError as exc:
        raise HTTPException(503, str(exc)) from exc
    return result.to_dict()
