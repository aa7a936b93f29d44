"""Shared plumbing of the panel commands: audit entries, and reading the event store
through the running server (which owns it) or read-only without one."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from contextlib import closing
from typing import Any

import duckdb
import typer

from fieldnote.cli._context import fail, get_state, refusing
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.repository._panel import PanelError
from fieldnote.research import (
    CriteriaError,
    IncentiveError,
    PanelImportError,
)

__all__ = ["ERRORS", "actor", "audit", "audit_read", "on_events"]

ERRORS = (PanelError, PanelImportError, CriteriaError, IncentiveError)


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def audit(ctx: typer.Context, project: str, action: str, target: str) -> None:
    get_state(ctx).fieldnote.audit.record(
        actor=actor(), action=action, project=project, target=target
    )


def audit_read(ctx: typer.Context, project: str, action: str, target: str) -> None:
    """Audit a read made by ``on_events`` here; one answered by the server was audited
    there (once, under the local admin), so it is not written twice."""
    if get_state(ctx).fieldnote.home.running_server() is None:
        audit(ctx, project, action, target)


def on_events(
    ctx: typer.Context, project: str, path: str, local: Callable[[Any], Any], as_json: bool
) -> Any:
    """Ask the running server (GET ``path``), else compute on the store read-only."""
    fn = get_state(ctx).fieldnote
    info = fn.home.running_server()
    if info is not None:
        client = ServerClient(info)
        with closing(client), refusing(ServerError, as_json=as_json):
            return client.get(f"/api/projects/{project}{path}")
    exists = fn.home.events_path.exists()
    try:
        store = fn.open_event_store(read_only=True) if exists else None
    except duckdb.Error as exc:
        fail(
            f"cannot read {fn.home.events_path} ({str(exc).splitlines()[0]}); "
            "is another fieldnote process writing it without a server?",
            as_json=as_json,
        )
    try:
        if store is None:
            return local(None)
        with store.reader() as cur:
            return local(cur)
    except ERRORS as exc:
        fail(str(exc), as_json=as_json)
    except duckdb.Error as exc:
        fail(f"reading the events failed ({str(exc).splitlines()[0]})", as_json=as_json)
    finally:
        if store is not None:
            store.close()
