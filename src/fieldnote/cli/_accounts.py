"""``fieldnote users``, ``fieldnote tokens`` and ``fieldnote audit``: accounts from the shell.

Whoever can run the CLI on the home folder owns the data anyway (they can read the
database file), so these commands need no sign-in; each change is still written to
the audit log as ``cli:<os user>``.
"""

from __future__ import annotations

import getpass
import secrets
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.repository import AccountError, Role, TokenInfo, UserInfo

users_app = typer.Typer(help="Accounts and their roles per project.", no_args_is_help=True)
tokens_app = typer.Typer(
    help="Personal API tokens (shown once, stored as digests).", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
EmailOpt = Annotated[str, typer.Option("--email", help="The user's email address.")]
ProjectOpt = Annotated[
    str | None,
    typer.Option("--project", "-p", help="Project; leave out for a role in every project."),
]
RoleOpt = Annotated[
    str, typer.Option("--role", help=f"One of: {', '.join(r.value for r in Role)}.")
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input."),
]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _user_json(u: UserInfo) -> dict[str, Any]:
    return {
        "id": u.id,
        "email": u.email,
        "has_password": u.has_password,
        "created_at": u.created_at.isoformat(),
        "roles": [{"project": m.project, "role": m.role.value} for m in u.memberships],
    }


def _roles_text(u: UserInfo) -> str:
    return ", ".join(f"{m.role.value} in {m.project or 'all projects'}" for m in u.memberships)


def _read_password() -> str:
    value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise AccountError("no password on standard input")
    return value


@users_app.command("create")
def create_user(
    ctx: typer.Context,
    email: EmailOpt,
    role: RoleOpt,
    project: ProjectOpt = None,
    password_stdin: PasswordStdin = False,
    as_json: JsonOpt = False,
) -> None:
    """Create an account with a role (in --project, or in every project).

    Without --password-stdin a random password is made and printed once.
    """
    fn = get_state(ctx).fieldnote
    generated = None
    with refusing(AccountError, as_json=as_json):
        if password_stdin:
            password = _read_password()
        else:
            password = generated = secrets.token_urlsafe(12)
        user = fn.accounts.create(email, role, project=project, password=password)
    fn.audit.record(
        actor=_actor(),
        action="user.create",
        project=project,
        target=user.email,
        detail={"role": role},
    )
    data = _user_json(user)
    if generated is not None:
        data["password"] = generated
    text = f"Created {user.email}: {_roles_text(user)}"
    if generated is not None:
        text += f"\n  password (shown once): {generated}"
    emit(data, as_json=as_json, text=text)


@users_app.command("list")
def list_users(ctx: typer.Context, project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List accounts (with --project: that project's members)."""
    fn = get_state(ctx).fieldnote
    if project is not None and fn.projects.get(project) is None:
        fail(f"no project named {project!r}", as_json=as_json)
    users = fn.accounts.list(project=project)
    if as_json:
        emit({"users": [_user_json(u) for u in users]}, as_json=True)
        return
    table = Table("email", "roles", "password", "created")
    for u in users:
        table.add_row(
            u.email,
            _roles_text(u),
            "set" if u.has_password else "none",
            u.created_at.isoformat(timespec="seconds"),
        )
    emit(table, as_json=False)


@users_app.command("set-role")
def set_role(
    ctx: typer.Context,
    email: EmailOpt,
    role: RoleOpt,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a user a role in --project (or in every project), replacing the one there."""
    fn = get_state(ctx).fieldnote
    with refusing(AccountError, as_json=as_json):
        user = fn.accounts.set_role(email, role, project=project)
    fn.audit.record(
        actor=_actor(),
        action="member.set_role",
        project=project,
        target=user.email,
        detail={"role": role},
    )
    emit(_user_json(user), as_json=as_json, text=f"{user.email}: {_roles_text(user)}")


@users_app.command("remove")
def remove_user(
    ctx: typer.Context, email: EmailOpt, project: ProjectOpt = None, as_json: JsonOpt = False
) -> None:
    """With --project: take away the role there. Without: delete the account, its
    sessions and its tokens."""
    fn = get_state(ctx).fieldnote
    with refusing(AccountError, as_json=as_json):
        if project is not None:
            user = fn.accounts.remove_role(email, project=project)
            action, text = "member.remove", f"{user.email} removed from {project}"
        else:
            user = fn.accounts.remove(email)
            action, text = "user.remove", f"{user.email} deleted"
    fn.audit.record(actor=_actor(), action=action, project=project, target=user.email)
    emit({"removed": user.email, "project": project}, as_json=as_json, text=text)


@users_app.command("set-password")
def set_password(
    ctx: typer.Context,
    email: EmailOpt,
    password_stdin: PasswordStdin = False,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's password (random and printed once without --password-stdin); signs
    the user out everywhere."""
    fn = get_state(ctx).fieldnote
    generated = None
    with refusing(AccountError, as_json=as_json):
        password = _read_password() if password_stdin else (generated := secrets.token_urlsafe(12))
        user = fn.accounts.set_password(email, password)
    fn.sessions.end_all(user.id)
    fn.audit.record(actor=_actor(), action="password.set", target=user.email)
    data: dict[str, Any] = {"email": user.email}
    text = f"Password of {user.email} set; their sessions were ended"
    if generated is not None:
        data["password"] = generated
        text += f"\n  password (shown once): {generated}"
    emit(data, as_json=as_json, text=text)


# -- tokens ----------------------------------------------------------------------------


def _token_json(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "email": t.email,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "active": t.active,
    }


@tokens_app.command("create")
def create_token(
    ctx: typer.Context,
    email: EmailOpt,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    as_json: JsonOpt = False,
) -> None:
    """Create a personal API token for a user; it is printed once."""
    fn = get_state(ctx).fieldnote
    with refusing(AccountError, as_json=as_json):
        made = fn.tokens.create(email, name)
    fn.audit.record(
        actor=_actor(), action="token.create", target=f"token:{made.info.id}", detail={"name": name}
    )
    emit(
        {**_token_json(made.info), "token": made.token},
        as_json=as_json,
        text=f"Token {made.info.id} for {made.info.email} (shown once):\n  {made.token}",
    )


@tokens_app.command("list")
def list_tokens(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Option("--email", help="Only this user's.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List tokens (never their secrets)."""
    fn = get_state(ctx).fieldnote
    with refusing(AccountError, as_json=as_json):
        tokens = fn.tokens.list(email=email)
    if as_json:
        emit({"tokens": [_token_json(t) for t in tokens]}, as_json=True)
        return
    table = Table("id", "user", "name", "starts with", "created", "last used", "status")
    for t in tokens:
        table.add_row(
            str(t.id),
            t.email,
            t.name,
            t.prefix + "…",
            t.created_at.isoformat(timespec="seconds"),
            t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never",
            "active" if t.active else "revoked",
        )
    emit(table, as_json=False)


@tokens_app.command("revoke")
def revoke_token(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="The token's id (see tokens list).")],
    as_json: JsonOpt = False,
) -> None:
    """Revoke a token: it fails from the next request on."""
    fn = get_state(ctx).fieldnote
    with refusing(AccountError, as_json=as_json):
        info = fn.tokens.revoke(token_id)
    fn.audit.record(actor=_actor(), action="token.revoke", target=f"token:{token_id}")
    emit(_token_json(info), as_json=as_json, text=f"Token {token_id} of {info.email} revoked")


# -- audit -----------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit(
        ctx: typer.Context,
        project: Annotated[
            str | None, typer.Option("--project", "-p", help="Only entries of this project.")
        ] = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100_000)] = 50,
        as_json: JsonOpt = False,
    ) -> None:
        """Show the audit log, newest first: changes and reads of personal data."""
        fn = get_state(ctx).fieldnote
        entries = fn.audit.entries(project=project, limit=limit)
        if as_json:
            emit(
                {
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
                },
                as_json=True,
            )
            return
        table = Table("when (UTC)", "actor", "action", "project", "target", "address")
        for e in entries:
            table.add_row(
                e.at.isoformat(timespec="seconds"),
                e.actor,
                e.action,
                e.project or "",
                e.target,
                e.ip or "",
            )
        emit(table, as_json=False)
