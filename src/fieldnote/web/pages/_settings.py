"""Project settings (members, keys, audit log: admins) and the account page (everyone).

Forms post and redirect back (post/redirect/get) with a fixed message code, except
where a secret is shown once (a new token, a rotated key, a first password): those
render the page directly so the secret is never put in a URL.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.repository import MIN_PASSWORD_LENGTH, AccountError, Permission, Role
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard
from fieldnote.web._project_access import ProjectAccess, project_access
from fieldnote.web.pages._login import set_session_cookie
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import SECURITY_HEADERS, page

__all__ = ["MemberRow", "member_rows", "router"]

router = APIRouter(include_in_schema=False)

Admin = Annotated[ProjectAccess, Depends(project_access(Permission.MANAGE_MEMBERS, page=True))]
KeyAdmin = Annotated[ProjectAccess, Depends(project_access(Permission.MANAGE_KEYS, page=True))]
User = Annotated[Access, Depends(Guard(page=True, users_only=True))]

_DONE = {
    "member-saved": "Member saved.",
    "member-removed": "Member removed.",
    "token-revoked": "Token revoked. It stops working at once.",
    "password-changed": "Password changed. Your other sessions were signed out.",
}


@dataclass(frozen=True, kw_only=True)
class MemberRow:
    email: str
    role: str
    instance_wide: bool


def member_rows(users: list[Any], project: str) -> list[MemberRow]:
    """One row per member: their role in ``project``, else their all-projects role."""
    rows = []
    for u in users:
        own = next((m for m in u.memberships if m.project == project), None)
        everywhere = next((m for m in u.memberships if m.project is None), None)
        chosen = own or everywhere
        if chosen is not None:
            rows.append(MemberRow(email=u.email, role=chosen.role.value, instance_wide=own is None))
    return rows


@dataclass(frozen=True)
class _Secret:
    label: str
    value: str


async def _settings_page(
    ctx: ProjectAccess,
    *,
    status: int = 200,
    error: str | None = None,
    shown_secret: _Secret | None = None,
    done: str | None = None,
) -> Response:
    fn, project, principal = ctx.fieldnote, ctx.project, ctx.principal
    users = await ctx.run(lambda: fn.accounts.list(project=project))
    instance = principal.sees_every_project()
    audit = []
    if ctx.can(Permission.READ_AUDIT):
        audit = await ctx.run(
            lambda: fn.audit.entries(project=project, include_instance=instance, limit=50)
        )
    return page(
        ctx.request,
        "settings.html",
        principal,
        status=status,
        projects=await visible_projects(ctx.request, principal),
        project=project,
        active="settings",
        members=member_rows(users, project),
        roles=[r.value for r in Role],
        write_key=ctx.access.project.write_key if ctx.access.project else "",
        audit=audit,
        instance_entries=instance,
        flash=_DONE.get(done or ""),
        error=error,
        shown_secret=shown_secret,
    )


@router.get("/projects/{project}/settings")
async def settings_page(ctx: Admin, done: str | None = None) -> Response:
    return await _settings_page(ctx, done=done)


@router.post("/projects/{project}/settings/members")
async def save_member(
    ctx: Admin,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=32)],
) -> Response:
    accounts, project = ctx.fieldnote.accounts, ctx.project
    shown = None
    try:
        existing = await ctx.run(lambda: accounts.get(email))
        if existing is None:
            password = secrets.token_urlsafe(12)
            user = await ctx.run(
                lambda: accounts.create(email, role, project=project, password=password)
            )
            shown = _Secret(f"One-time password for {user.email}", password)
            action = "user.create"
        else:
            user = await ctx.run(lambda: accounts.set_role(email, role, project=project))
            action = "member.set_role"
    except AccountError as exc:
        return await _settings_page(ctx, status=400, error=str(exc))
    await ctx.audit(action, user.email, {"role": role})
    if shown is not None:
        return await _settings_page(ctx, shown_secret=shown)
    return RedirectResponse(
        f"/projects/{project}/settings?done=member-saved", status_code=303, headers=SECURITY_HEADERS
    )


@router.post("/projects/{project}/settings/members/remove")
async def remove_member(ctx: Admin, email: Annotated[str, Form(max_length=320)]) -> Response:
    accounts, project = ctx.fieldnote.accounts, ctx.project
    try:
        user = await ctx.run(lambda: accounts.remove_role(email, project=project))
    except AccountError as exc:
        return await _settings_page(ctx, status=400, error=str(exc))
    await ctx.audit("member.remove", user.email)
    return RedirectResponse(
        f"/projects/{project}/settings?done=member-removed",
        status_code=303,
        headers=SECURITY_HEADERS,
    )


@router.post("/projects/{project}/settings/secret-key")
async def rotate_secret_key(ctx: KeyAdmin) -> Response:
    creds = await ctx.run(lambda: ctx.fieldnote.projects.rotate_secret_key(ctx.project))
    await ctx.audit("key.rotate", "secret_key")
    secret = _Secret("New secret key (the old one no longer works)", creds.secret_key)
    return await _settings_page(ctx, shown_secret=secret)


# -- account ---------------------------------------------------------------------------


async def _account_page(
    request: Request,
    access: Access,
    *,
    status: int = 200,
    error: str | None = None,
    new_token: Any = None,
    done: str | None = None,
) -> Response:
    fn = state(request).fieldnote
    principal = access.principal
    assert principal.access is not None
    user = await run_in_threadpool(fn.accounts.get_by_id, principal.access.user_id)
    tokens = await run_in_threadpool(lambda: fn.tokens.list(email=principal.access.email))  # type: ignore[union-attr]
    return page(
        request,
        "account.html",
        principal,
        status=status,
        projects=await visible_projects(request, principal),
        active="account",
        memberships=user.memberships if user else (),
        tokens=tokens,
        new_token=new_token,
        error=error,
        flash=_DONE.get(done or ""),
        min_password=MIN_PASSWORD_LENGTH,
    )


@router.get("/account")
async def account_page(request: Request, access: User, done: str | None = None) -> Response:
    return await _account_page(request, access, done=done)


@router.post("/account/tokens")
async def create_token(
    request: Request, access: User, name: Annotated[str, Form(max_length=200)]
) -> Response:
    fn = state(request).fieldnote
    email = access.principal.access.email  # type: ignore[union-attr]
    try:
        made = await run_in_threadpool(fn.tokens.create, email, name)
    except AccountError as exc:
        return await _account_page(request, access, status=400, error=str(exc))
    await run_in_threadpool(
        fn.audit.record,
        actor=access.principal.actor,
        action="token.create",
        target=f"token:{made.info.id}",
        detail={"name": made.info.name},
        ip=client_ip(request),
    )
    return await _account_page(request, access, new_token=made)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(request: Request, access: User, token_id: int) -> Response:
    fn = state(request).fieldnote
    try:
        await run_in_threadpool(
            lambda: fn.tokens.revoke(token_id, user_id=access.principal.user_id)
        )
    except AccountError as exc:
        return await _account_page(request, access, status=404, error=str(exc))
    await run_in_threadpool(
        fn.audit.record,
        actor=access.principal.actor,
        action="token.revoke",
        target=f"token:{token_id}",
        ip=client_ip(request),
    )
    return RedirectResponse(
        "/account?done=token-revoked", status_code=303, headers=SECURITY_HEADERS
    )


@router.post("/account/password")
async def change_password(
    request: Request,
    access: User,
    current_password: Annotated[str, Form(max_length=1024)],
    new_password: Annotated[str, Form(max_length=1024)],
) -> Response:
    fn = state(request).fieldnote
    principal = access.principal
    email = principal.access.email  # type: ignore[union-attr]
    if await run_in_threadpool(fn.accounts.authenticate, email, current_password) is None:
        return await _account_page(
            request, access, status=400, error="Your current password is not right."
        )
    try:
        await run_in_threadpool(fn.accounts.set_password, email, new_password)
    except AccountError as exc:
        return await _account_page(request, access, status=400, error=str(exc))
    # Every other session ends; this one is replaced by a fresh one below.
    user_id = principal.access.user_id  # type: ignore[union-attr]
    await run_in_threadpool(fn.sessions.end_all, user_id)
    new = await run_in_threadpool(fn.sessions.create, user_id)
    await run_in_threadpool(
        fn.audit.record, actor=principal.actor, action="password.change", ip=client_ip(request)
    )
    response = RedirectResponse(
        "/account?done=password-changed", status_code=303, headers=SECURITY_HEADERS
    )
    set_session_cookie(response, request, new.cookie)
    return response
