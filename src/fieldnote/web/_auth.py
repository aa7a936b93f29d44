"""Who is calling: the local admin (CLI via server.json) or a project's secret key."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from fieldnote.repository import ProjectInfo
from fieldnote.web._state import AppState

__all__ = ["bearer_token", "require_read_access", "state"]


def state(request: Request) -> AppState:
    st: AppState = request.app.state.fieldnote
    return st


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def is_admin(request: Request) -> bool:
    st = state(request)
    token = bearer_token(request)
    return bool(st.admin_token and token and hmac.compare_digest(token, st.admin_token))


def require_read_access(request: Request, project: str) -> ProjectInfo:
    """Reads need the local admin token or the project's secret key (never the write key)."""
    st = state(request)
    token = bearer_token(request)
    if token is None:
        raise HTTPException(
            401, "missing credentials: send 'Authorization: Bearer <secret key>' to read"
        )
    if is_admin(request):
        info = st.fieldnote.projects.get(project)
    else:
        info = st.fieldnote.projects.by_secret_key(token)
        if info is not None and info.name != project:
            info = None
        if info is None:
            raise HTTPException(403, f"this key cannot read project {project!r}")
    if info is None:
        raise HTTPException(404, f"no project named {project!r}")
    return info
