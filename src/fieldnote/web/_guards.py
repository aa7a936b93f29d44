"""Route guards: every non-public route declares who may call it, as a dependency.

``Depends(Guard(...))`` authenticates the caller, refuses a cookie-authenticated
state-changing request without the session's CSRF token, and checks the project
permission. Because the rule is a dependency object, tests read it back from
``app.routes`` and try every route with the wrong role (see tests/web/test_security.py).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from fieldnote.repository import Permission, ProjectInfo
from fieldnote.web._auth import Principal, authenticate, state

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "PUBLIC_PATHS",
    "Access",
    "Guard",
    "LoginRequiredError",
    "PageForbiddenError",
    "anonymous_refusal",
]

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Routes anyone may call (besides the capture endpoints, tagged "capture").
PUBLIC_PATHS = frozenset({"/healthz", "/login", "/static/{name}"})


class LoginRequiredError(Exception):
    """A page was asked for without a signed-in user: answered with a redirect to /login."""


class PageForbiddenError(Exception):
    """A page the signed-in user may not see: answered with an HTML 403/404 page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, kw_only=True)
class Access:
    """What a guarded handler receives: who calls, and the project when there is one."""

    principal: Principal
    project: ProjectInfo | None = None

    @property
    def project_name(self) -> str:
        assert self.project is not None
        return self.project.name


async def check_csrf(request: Request, principal: Principal) -> None:
    """Cookie-authenticated writes must echo the session's synchronizer token."""
    if request.method in _SAFE_METHODS or principal.session is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, principal.session.csrf_token):
        raise HTTPException(
            403, "missing or wrong CSRF token: reload the page and submit the form again"
        )


class Guard:
    """A route's access rule.

    ``permission`` None: any authenticated caller. ``users_only``: a person's own
    things (tokens, password), so not the local admin or a secret key. ``page``: HTML
    routes answer a redirect to /login and HTML errors instead of JSON ones.
    """

    def __init__(
        self,
        permission: Permission | None = None,
        *,
        page: bool = False,
        users_only: bool = False,
    ) -> None:
        self.permission = permission
        self.page = page
        self.users_only = users_only

    def __repr__(self) -> str:
        return f"Guard({self.permission}, page={self.page}, users_only={self.users_only})"

    async def __call__(self, request: Request) -> Access:
        principal = await run_in_threadpool(authenticate, request)
        if principal is None:
            if self.page:
                raise LoginRequiredError()
            raise HTTPException(
                401,
                "sign in, or send 'Authorization: Bearer <personal API token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        await check_csrf(request, principal)
        if self.users_only and principal.kind != "user":
            self._deny(403, "this belongs to a signed-in user: use a personal API token")
        if self.permission is None:
            return Access(principal=principal)
        project = str(request.path_params.get("project", ""))
        if not principal.can(project, self.permission):
            self._deny(403, _why_not(principal, project, self.permission))
        info = await run_in_threadpool(state(request).fieldnote.projects.get, project)
        if info is None:
            self._deny(404, f"no project named {project!r}")
        return Access(principal=principal, project=info)

    def _deny(self, status: int, message: str) -> None:
        if self.page:
            raise PageForbiddenError(status, message)
        raise HTTPException(status, message)


_NEEDS = {
    Permission.VIEW_PROJECT: "a role",
    Permission.READ_PERSONAL_DATA: "the researcher or admin role",
    Permission.WRITE_RESEARCH: "the researcher or admin role",
    Permission.MANAGE_MEMBERS: "the admin role",
    Permission.MANAGE_KEYS: "the admin role",
    Permission.READ_AUDIT: "the admin role",
}


def _why_not(principal: Principal, project: str, permission: Permission) -> str:
    if principal.access is not None:
        role = principal.access.role_in(project)
        yours = f" (your role: {role.value})" if role else " (you have no role there)"
    else:
        yours = ""
    return f"this needs {_NEEDS[permission]} in project {project!r}{yours}"


async def anonymous_refusal(request: Request) -> HTTPException | None:
    """For a request that failed validation: a 401 when the caller is anonymous.

    Handlers that check credentials themselves run only after FastAPI validated the
    body, so an anonymous caller would otherwise learn the body's shape from a 422.
    Public routes (capture, /login, ...) keep their 422.
    """
    route = request.scope.get("route")
    if route is None or getattr(route, "path", None) in PUBLIC_PATHS:
        return None
    if "capture" in (getattr(route, "tags", None) or []):
        return None
    try:
        principal = await run_in_threadpool(authenticate, request)
    except HTTPException as exc:
        return exc
    if principal is None:
        return HTTPException(
            401,
            "sign in, or send 'Authorization: Bearer <personal API token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return None
