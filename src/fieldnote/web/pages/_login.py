"""Sign in and sign out.

Sign-in always creates a new server-side session and deletes the one the browser
came with, so a session id planted before sign-in is never promoted (session
fixation). The login form itself is protected by a double-submit token: a random
value in a SameSite=Strict cookie that the form must echo, so another site cannot
sign a browser in to an account of its choosing (login CSRF).
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.repository import AccountError, normalize_email
from fieldnote.web._auth import SESSION_COOKIE, authenticate, client_ip, state
from fieldnote.web._guards import Access, Guard
from fieldnote.web.pages._render import SECURITY_HEADERS, page

__all__ = ["router", "safe_next", "secure_cookie", "set_session_cookie"]

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "fieldnote_login_csrf"
# Only local paths: no scheme, no host, no "//" or "/\" that browsers read as a host.
_NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9/_\-.?=&%]*$")


def safe_next(value: str | None) -> str:
    """Where to go after sign-in: a local path, never another site (open redirect)."""
    if value and _NEXT.match(value) and len(value) <= 512:
        return value
    return "/projects"


def secure_cookie(request: Request) -> bool:
    mode = state(request).fieldnote.settings.secure_cookies
    if mode == "always":
        return True
    if mode == "never":
        return False
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, cookie: str) -> None:
    """The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on
    cross-site posts), Secure over https."""
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(state(request).fieldnote.sessions.max_age.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
    )


def _login_page(
    request: Request,
    *,
    error: str | None = None,
    status: int = 200,
    entered_email: str = "",
    next_path: str = "/projects",
    headers: dict[str, str] | None = None,
) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(
        request,
        "login.html",
        None,
        status=status,
        error=error,
        entered_email=entered_email,
        next=next_path,
        login_csrf=token,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=secure_cookie(request),
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    principal = await run_in_threadpool(authenticate, request)
    if principal is not None and principal.session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "/projects",
) -> Response:
    st = state(request)
    fn = st.fieldnote
    next_path = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf_token or not expected or not hmac.compare_digest(csrf_token, expected):
        return _login_page(
            request,
            error="Your sign-in form expired. Please try again.",
            status=403,
            entered_email=email,
            next_path=next_path,
        )
    try:
        account = normalize_email(email)
    except AccountError:
        account = email.strip().lower()[:320]
    ip = client_ip(request)
    limiter = st.login_limiter
    refusal = limiter.check(account, ip) if limiter is not None else None
    if refusal is not None:
        await run_in_threadpool(
            fn.audit.record,
            actor=f"anonymous:{ip}",
            action="login.refused",
            target=account,
            detail={"scope": refusal.scope, "retry_after": refusal.retry_after},
            ip=ip,
        )
        return _login_page(
            request,
            error=refusal.message,
            status=429,
            entered_email=email,
            next_path=next_path,
            headers={"Retry-After": str(refusal.retry_after)},
        )
    user = await run_in_threadpool(fn.accounts.authenticate, account, password)
    if user is None:
        if limiter is not None:
            limiter.failed(account, ip)
        await run_in_threadpool(
            fn.audit.record, actor=f"anonymous:{ip}", action="login.failure", target=account, ip=ip
        )
        return _login_page(
            request,
            error="That email and password do not match an account. Check both and try again.",
            status=401,
            entered_email=email,
            next_path=next_path,
        )
    if limiter is not None:
        limiter.succeeded(account)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await run_in_threadpool(fn.sessions.end, old)
    new = await run_in_threadpool(fn.sessions.create, user.id)
    await run_in_threadpool(
        fn.audit.record,
        actor=f"user:{user.email}",
        action="login.success",
        target=user.email,
        ip=ip,
    )
    response = RedirectResponse(next_path, status_code=303, headers=SECURITY_HEADERS)
    set_session_cookie(response, request, new.cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(
    request: Request, access: Annotated[Access, Depends(Guard(page=True))]
) -> Response:
    fn = state(request).fieldnote
    principal = access.principal
    if principal.session_cookie:
        await run_in_threadpool(fn.sessions.end, principal.session_cookie)
        await run_in_threadpool(
            fn.audit.record, actor=principal.actor, action="logout", ip=client_ip(request)
        )
    response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
