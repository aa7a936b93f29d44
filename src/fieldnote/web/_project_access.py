"""``ProjectAccess``: what a project-scoped handler works with, so each handler is the
library call it exists for and nothing else.

Every project route had the same shape: the ``Guard`` looks the project up (404 naming
it) and checks the role (403 saying which role is needed); the handler runs a library
call off the event loop, turns the domain's errors into 4xx answers, and writes the
audit log. ``ProjectAccess`` carries the request and the guard's ``Access`` and does the
last three in one place:

- ``run(fn, errors)``: the call in the thread pool; ``errors`` is an ``ErrorMap``, a
  registry of domain error type → status, read in order (first matching type wins);
- ``audit(action, target, detail)``: one audit-log entry for this caller and project;
- ``refuse(status, detail)``: the JSON ``HTTPException`` for API routes, the HTML
  ``PageForbiddenError`` for pages (``page=True``).

Handlers declare it with one of the aliases at the bottom (``CanView``, ``CanWrite``,
``PageResearcher``, ...) or ``Annotated[ProjectAccess, Depends(project_access(...))]``:
the ``Guard`` stays a sub-dependency, so tests/web/test_security.py still reads every
route's rule from ``app.routes``.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from fieldnote._core import Fieldnote
from fieldnote.repository import Permission, Repository
from fieldnote.web._auth import Principal, client_ip, state
from fieldnote.web._guards import Access, Guard, PageForbiddenError
from fieldnote.web._state import AppState

__all__ = [
    "NO_ERRORS",
    "CanReadPersonal",
    "CanView",
    "CanWrite",
    "ErrorMap",
    "PageResearcher",
    "PageViewer",
    "PageWriter",
    "ProjectAccess",
    "project_access",
]

T = TypeVar("T")

Status = int | Callable[[Exception], int]
"""A fixed status, or one chosen from the error (e.g. 404 for "no such ...")."""


@dataclass(frozen=True)
class ErrorMap:
    """Domain error types → HTTP status, read in order: list a subclass before its base.

    ``detail`` builds the answer's detail from the error (its message by default).
    Errors no rule matches propagate unchanged (a 500 is a bug, not a refusal).
    """

    rules: Mapping[type[Exception], Status]
    detail: Callable[[Exception], Any] = str

    def status(self, exc: Exception) -> int | None:
        for kind, status in self.rules.items():
            if isinstance(exc, kind):
                return status if isinstance(status, int) else status(exc)
        return None


NO_ERRORS = ErrorMap({})


@dataclass(frozen=True, kw_only=True)
class ProjectAccess:
    """A guarded request in one project: who calls, where, and how to answer."""

    request: Request
    access: Access
    page: bool = False

    @property
    def project(self) -> str:
        return self.access.project_name

    @property
    def principal(self) -> Principal:
        return self.access.principal

    @property
    def actor(self) -> str:
        return self.access.principal.actor

    @property
    def state(self) -> AppState:
        return state(self.request)

    @property
    def fieldnote(self) -> Fieldnote:
        return self.state.fieldnote

    @property
    def repository(self) -> Repository:
        return self.state.fieldnote.repository

    def can(self, permission: Permission) -> bool:
        return self.principal.can(self.project, permission)

    def refuse(self, status: int, detail: Any) -> NoReturn:
        """Answer ``status``: an HTML error page on pages, a JSON error on the API."""
        if self.page:
            raise PageForbiddenError(status, str(detail))
        raise HTTPException(status, detail)

    async def run(self, fn: Callable[[], T], errors: ErrorMap = NO_ERRORS) -> T:
        """``fn()`` in the thread pool; an error ``errors`` knows becomes its 4xx."""
        try:
            return await run_in_threadpool(fn)
        except Exception as exc:
            status = errors.status(exc)
            if status is None:
                raise
            if self.page:
                raise PageForbiddenError(status, str(exc)) from None
            raise HTTPException(status, errors.detail(exc)) from exc

    async def audit(self, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """One audit-log entry: this caller, this project, ``action`` on ``target``."""
        await run_in_threadpool(
            self.fieldnote.audit.record,
            actor=self.actor,
            action=action,
            project=self.project,
            target=target,
            detail=detail,
            ip=client_ip(self.request),
        )


def project_access(
    permission: Permission, *, page: bool = False
) -> Callable[..., Awaitable[ProjectAccess]]:
    """The dependency giving a handler its ``ProjectAccess`` behind ``Guard(permission)``."""
    guard = Guard(permission, page=page)

    # This module does not use ``from __future__ import annotations``: FastAPI must see
    # this closure's ``guard`` in the signature as an object, not as a string to resolve.
    async def bind(request: Request, access: Annotated[Access, Depends(guard)]) -> ProjectAccess:
        return ProjectAccess(request=request, access=access, page=page)

    return bind


# The project rules every router uses: API routes answer JSON, page routes HTML.
CanView = Annotated[ProjectAccess, Depends(project_access(Permission.VIEW_PROJECT))]
CanReadPersonal = Annotated[ProjectAccess, Depends(project_access(Permission.READ_PERSONAL_DATA))]
CanWrite = Annotated[ProjectAccess, Depends(project_access(Permission.WRITE_RESEARCH))]
PageViewer = Annotated[ProjectAccess, Depends(project_access(Permission.VIEW_PROJECT, page=True))]
PageResearcher = Annotated[
    ProjectAccess, Depends(project_access(Permission.READ_PERSONAL_DATA, page=True))
]
PageWriter = Annotated[ProjectAccess, Depends(project_access(Permission.WRITE_RESEARCH, page=True))]
