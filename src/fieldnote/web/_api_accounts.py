"""JSON API for accounts: members and keys (admins), audit log, personal tokens, spec.

The same rules as the settings pages, through the same ``Guard``s; every change is
written to the audit log with the caller as actor.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from fieldnote.repository import AccountError, Permission, TokenInfo
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard
from fieldnote.web._project_access import ErrorMap, ProjectAccess, project_access
from fieldnote.web.pages._settings import member_rows

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["accounts"])

AnyCaller = Annotated[Access, Depends(Guard())]
User = Annotated[Access, Depends(Guard(users_only=True))]
MemberAdmin = Annotated[ProjectAccess, Depends(project_access(Permission.MANAGE_MEMBERS))]
KeyAdmin = Annotated[ProjectAccess, Depends(project_access(Permission.MANAGE_KEYS))]
AuditReader = Annotated[ProjectAccess, Depends(project_access(Permission.READ_AUDIT))]
REFUSED = ErrorMap({AccountError: 400})
NO_MEMBER = ErrorMap({AccountError: 404})


class MemberIn(BaseModel):
    email: str = Field(max_length=320)
    role: str = Field(max_length=32)


class TokenIn(BaseModel):
    name: str = Field(max_length=200)


def _token_json(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "active": t.active,
    }


async def _audit(request: Request, access: Access, action: str, **kw: Any) -> None:
    await run_in_threadpool(
        lambda: state(request).fieldnote.audit.record(
            actor=access.principal.actor, action=action, ip=client_ip(request), **kw
        )
    )


@router.get("/openapi.json")
async def openapi_spec(request: Request, _access: AnyCaller) -> dict[str, Any]:
    """This API's OpenAPI 3 description (generated from the routes)."""
    spec: dict[str, Any] = request.app.openapi()
    return spec


@router.get("/projects/{project}/members")
async def members(ctx: MemberAdmin) -> dict[str, Any]:
    """Members of the project and their roles (``all_projects``: an instance-wide role)."""
    users = await ctx.run(lambda: ctx.fieldnote.accounts.list(project=ctx.project))
    return {
        "members": [
            {"email": m.email, "role": m.role, "all_projects": m.instance_wide}
            for m in member_rows(users, ctx.project)
        ]
    }


@router.post("/projects/{project}/members")
async def set_member(ctx: MemberAdmin, body: MemberIn) -> dict[str, Any]:
    """Give an existing user a role in the project (replacing their role there)."""
    accounts = ctx.fieldnote.accounts
    user = await ctx.run(
        lambda: accounts.set_role(body.email, body.role, project=ctx.project), REFUSED
    )
    await ctx.audit("member.set_role", user.email, {"role": body.role})
    return {"email": user.email, "role": body.role}


@router.delete("/projects/{project}/members/{email}")
async def remove_member(ctx: MemberAdmin, email: str) -> dict[str, Any]:
    """Take away the user's role in the project (their account stays)."""
    accounts = ctx.fieldnote.accounts
    user = await ctx.run(lambda: accounts.remove_role(email, project=ctx.project), NO_MEMBER)
    await ctx.audit("member.remove", user.email)
    return {"removed": user.email}


@router.post("/projects/{project}/secret-key")
async def rotate_secret_key(ctx: KeyAdmin) -> dict[str, str]:
    """A new secret key, shown once; the old one stops working at once."""
    creds = await ctx.run(lambda: ctx.fieldnote.projects.rotate_secret_key(ctx.project))
    await ctx.audit("key.rotate", "secret_key")
    return {"name": creds.name, "write_key": creds.write_key, "secret_key": creds.secret_key}


@router.get("/projects/{project}/audit")
async def audit_log(
    ctx: AuditReader,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """The project's audit log, newest first (instance-wide admins also get sign-ins)."""
    entries = await ctx.run(
        lambda: ctx.fieldnote.audit.entries(
            project=ctx.project,
            include_instance=ctx.principal.sees_every_project(),
            limit=limit,
            before_id=before_id,
        )
    )
    return {
        "entries": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "project": e.project,
                "target": e.target,
                "detail": e.detail,
                "ip": e.ip,
            }
            for e in entries
        ]
    }


@router.get("/tokens")
async def list_tokens(request: Request, access: User) -> dict[str, Any]:
    """Your personal API tokens (never their secrets)."""
    email = access.principal.access.email  # type: ignore[union-attr]
    tokens = await run_in_threadpool(lambda: state(request).fieldnote.tokens.list(email=email))
    return {"tokens": [_token_json(t) for t in tokens]}


@router.post("/tokens", status_code=201)
async def create_token(request: Request, access: User, body: TokenIn) -> dict[str, Any]:
    """A new personal API token; ``token`` is shown in this response only."""
    email = access.principal.access.email  # type: ignore[union-attr]
    try:
        made = await run_in_threadpool(state(request).fieldnote.tokens.create, email, body.name)
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from exc
    await _audit(
        request, access, "token.create", target=f"token:{made.info.id}", detail={"name": body.name}
    )
    return {**_token_json(made.info), "token": made.token}


@router.delete("/tokens/{token_id}")
async def revoke_token(request: Request, access: User, token_id: int) -> dict[str, Any]:
    """Revoke one of your tokens; it fails from the next request on."""
    fn = state(request).fieldnote
    try:
        info = await run_in_threadpool(
            lambda: fn.tokens.revoke(token_id, user_id=access.principal.user_id)
        )
    except AccountError as exc:
        raise HTTPException(404, str(exc)) from exc
    await _audit(request, access, "token.revoke", target=f"token:{token_id}")
    return _token_json(info)
