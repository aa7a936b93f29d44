"""Server-rendered pages: one Jinja2 environment, autoescaping on, strict headers.

Autoescaping is what keeps an email like ``<script>@x.io`` or a token name from
becoming markup. The Content-Security-Policy allows scripts from this server only
(htmx, Plotly and fieldnote.js are all served from the package), so even a missed
escape could not run inline script. Pages are never cached: they can hold personal data.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from fieldnote import __version__
from fieldnote.repository import Permission
from fieldnote.web._auth import Principal

__all__ = ["SECURITY_HEADERS", "page", "render"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("fieldnote.web", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters["thousands"] = lambda n: f"{int(n):,}"
    env.filters["percent"] = lambda x: f"{float(x) * 100:.1f} %"
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M:%S") if d else "—"
    return env


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """Render a template (full page or HTMX fragment) with the security headers."""
    html = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def page(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status: int = 200,
    projects: list[Any] | None = None,
    project: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A full page inside the shell: header, project switcher, navigation."""
    session = principal.session if principal is not None else None
    return render(
        request,
        template,
        {
            "principal": principal,
            "email": principal.access.email if principal and principal.access else None,
            "csrf_token": session.csrf_token if session is not None else "",
            "projects": projects or [],
            "project": project,
            "role": (
                principal.access.role_in(project).value  # type: ignore[union-attr]
                if principal and principal.access and project and principal.access.role_in(project)
                else None
            ),
            "perms": {
                p.name.lower(): bool(principal and project and principal.can(project, p))
                for p in Permission
            },
            "active": context.pop("active", ""),
            **context,
        },
        status=status,
    )
