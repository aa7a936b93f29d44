"""Who is calling, and what they may do.

Four kinds of credentials reach the server:

- the **local admin token** (``server.json``, mode 0600): the CLI on the same machine;
- a project's **secret key** (``Authorization: Bearer fns_...``): reads that project;
- a **personal API token** (``Authorization: Bearer fnt_...``): acts as its user, with
  the user's roles;
- a **web session** cookie: a signed-in browser, with the user's roles. Only this one is
  sent by a browser on its own, so only this one needs CSRF protection.

The write key is none of these: capture endpoints check it themselves and read nothing.
Nothing here caches a credential, so a revoked token or an ended session fails on the
very next request.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException, Request

from fieldnote.repository import (
    Permission,
    ProjectInfo,
    SessionInfo,
    UserAccess,
    can,
)
from fieldnote.web._state import AppState

__all__ = [
    "SESSION_COOKIE",
    "Principal",
    "authenticate",
    "bearer_token",
    "client_ip",
    "is_admin",
    "require_read_access",
    "state",
]

SESSION_COOKIE = "fieldnote_session"

#: What a project's secret key may do in its own project: read its data.
SECRET_KEY_PERMISSIONS = frozenset({Permission.VIEW_PROJECT, Permission.READ_PERSONAL_DATA})


def state(request: Request) -> AppState:
    st: AppState = request.app.state.fieldnote
    return st


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def is_admin(request: Request) -> bool:
    st = state(request)
    token = bearer_token(request)
    return bool(st.admin_token and token and hmac.compare_digest(token, st.admin_token))


@dataclass(frozen=True, kw_only=True)
class Principal:
    """An authenticated caller. ``actor`` is how the audit log names them."""

    kind: Literal["local_admin", "secret_key", "user"]
    actor: str
    access: UserAccess | None = None
    key_project: str | None = None
    session: SessionInfo | None = None
    session_cookie: str | None = None
    token_id: int | None = None

    def can(self, project: str, permission: Permission) -> bool:
        if self.kind == "local_admin":
            return True
        if self.kind == "secret_key":
            return project == self.key_project and permission in SECRET_KEY_PERMISSIONS
        return can(self.access, project, permission)

    def sees_every_project(self) -> bool:
        return self.kind == "local_admin" or bool(
            self.access is not None and self.access.can_see_all_projects()
        )

    def visible_projects(self, projects: list[ProjectInfo]) -> list[ProjectInfo]:
        """The projects this caller has any role in (what the switcher lists)."""
        return [p for p in projects if self.can(p.name, Permission.VIEW_PROJECT)]

    @property
    def user_id(self) -> int | None:
        return self.access.user_id if self.access is not None else None


_CACHE_ATTR = "fieldnote_principal"


def authenticate(request: Request) -> Principal | None:
    """The caller of ``request`` (memoised per request); None when anonymous.

    A bearer token that matches nothing is an error (401), not anonymity: a client that
    sends a revoked token must learn so instead of silently seeing less.
    Blocking (it queries the repository): call it from a worker thread.
    """
    if hasattr(request.state, _CACHE_ATTR):
        cached: Principal | None = getattr(request.state, _CACHE_ATTR)
        return cached
    principal = _resolve(request)
    setattr(request.state, _CACHE_ATTR, principal)
    return principal


def _resolve(request: Request) -> Principal | None:
    st = state(request)
    fn = st.fieldnote
    token = bearer_token(request)
    if token is not None:
        if st.admin_token and hmac.compare_digest(token, st.admin_token):
            return Principal(kind="local_admin", actor="local-admin")
        if token.startswith("fnt_"):
            info = fn.tokens.authenticate(token)
            access = fn.accounts.access(info.user_id) if info is not None else None
            if info is None or access is None:
                raise HTTPException(401, "this API token is unknown or has been revoked")
            return Principal(
                kind="user",
                actor=f"token:{info.id}:{info.email}",
                access=access,
                token_id=info.id,
            )
        project = fn.projects.by_secret_key(token)
        if project is None:
            raise HTTPException(401, "unknown credentials: send a personal API token or secret key")
        return Principal(
            kind="secret_key", actor=f"secret-key:{project.name}", key_project=project.name
        )
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        session = fn.sessions.get(cookie)
        access = fn.accounts.access(session.user_id) if session is not None else None
        if session is not None and access is not None:
            return Principal(
                kind="user",
                actor=f"user:{access.email}",
                access=access,
                session=session,
                session_cookie=cookie,
            )
    return None


def require_read_access(request: Request, project: str) -> ProjectInfo:
    """Reads need a credential that may view ``project`` (never the write key)."""
    st = state(request)
    principal = authenticate(request)
    if principal is None:
        raise HTTPException(
            401, "missing credentials: send 'Authorization: Bearer <token or secret key>' to read"
        )
    if not principal.can(project, Permission.VIEW_PROJECT):
        raise HTTPException(403, f"these credentials cannot read project {project!r}")
    info = st.fieldnote.projects.get(project)
    if info is None:
        raise HTTPException(404, f"no project named {project!r}")
    return info
