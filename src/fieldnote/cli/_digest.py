"""``fieldnote digest``: a project's weekly digest (anomalies, open questions and their
age, interviews, new themes, decisions) as Markdown, HTML or JSON; ``--send`` emails
it now (once per week: a week already sent is reported, not sent again)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from fieldnote.analytics import store_source
from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.repository import DEFAULT_PROJECT, ProjectError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("digest")(digest)


def digest(
    ctx: typer.Context,
    project: ProjectOpt = DEFAULT_PROJECT,
    week: Annotated[
        str | None,
        typer.Option("--week", help="ISO week YYYY-Www. Default: the current week."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md or html (without --json).")] = "md",
    send: Annotated[
        bool, typer.Option("--send", help="Email it (SMTP settings); once per week.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """What happened in a project in one week, computed from the repository."""
    from fieldnote.monitors import (
        DIGEST_FORMATS,
        Week,
        build_digest,
        digest_mailer_from,
        send_digest,
    )

    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, ValueError, as_json=as_json):
        fn.projects.require(project)
        wk = Week.parse(week) if week else Week.of(datetime.now(UTC).date())
    if fmt not in DIGEST_FORMATS:
        fail(f"--format: one of {', '.join(DIGEST_FORMATS)}, not {fmt!r}", as_json=as_json)
    store = None
    if fn.home.running_server() is None:  # release verdicts need the events
        store = fn.open_event_store(read_only=True)
    try:
        source = store_source(store.connection, project) if store is not None else None
        result = build_digest(fn.repository, project, wk, source=source)
        sent: dict[str, Any] | None = None
        if send:
            mailer = digest_mailer_from(fn.settings)
            if mailer is None:
                fail(
                    "--send needs FIELDNOTE_SMTP_HOST and FIELDNOTE_NOTIFY_EMAIL_TO",
                    as_json=as_json,
                )
            sent = send_digest(fn.repository, mailer, project, wk, source=source).to_dict()
    finally:
        if store is not None:
            store.close()
    if as_json:
        emit({**result.to_dict(), "sent": sent}, as_json=True, text="")
        return
    sys.stdout.write(DIGEST_FORMATS[fmt](result))
    if sent is not None:
        sys.stdout.write(f"email: {sent['status']}\n")
