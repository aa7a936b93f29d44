"""``fieldnote studies`` (delivery set-up, shareable link, research funnel) and
``fieldnote invitations`` (email and link invitations to a study).

They read and write the research repository directly, like ``intercepts``: a running
server sees the changes at once. Links point at ``FIELDNOTE_PUBLIC_URL``, else
``--base-url``, else the running server's own address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import CliState, emit, fail, get_state, refusing
from fieldnote.cli._participants import _json_file
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.interviews.guides import GuideError
from fieldnote.repository import DEFAULT_PROJECT, ProjectError
from fieldnote.repository._delivery import DeliveryError
from fieldnote.research.delivery import DeliveryService, config_from_settings, shown_invitations

__all__ = ["invitations_app", "studies_app"]

studies_app = typer.Typer(
    help="Studies: delivery set-up, shareable link, research funnel.", no_args_is_help=True
)
invitations_app = typer.Typer(help="Email and link invitations to a study.", no_args_is_help=True)
Study = Annotated[int, typer.Argument(help="The study's id (see `fieldnote questions show`).")]
BaseUrl = Annotated[
    str | None, typer.Option(help="Where participants reach fieldnote (else FIELDNOTE_PUBLIC_URL).")
]


def _service(st: CliState, project: str, as_json: bool) -> DeliveryService:
    s = st.settings
    with refusing(ProjectError, as_json=as_json):
        st.fieldnote.projects.require(project)
    config = config_from_settings(s)
    return DeliveryService(st.fieldnote.repository, config)


def _base_url(st: CliState, given: str | None, as_json: bool) -> str:
    if given or st.settings.public_url:
        return str(given or st.settings.public_url)
    info = st.fieldnote.home.running_server()
    if info is None:
        fail(
            "base URL: set FIELDNOTE_PUBLIC_URL or pass --base-url (no server is running "
            "to take its address from)",
            as_json=as_json,
        )
    return info.base_url


@studies_app.command("setup")
def setup(
    ctx: typer.Context,
    study: Study,
    guide: Annotated[str, typer.Option(help="The interview guide participants are sent to.")],
    offer: Annotated[Path, typer.Option(help="JSON: title, why, minutes, incentive.")],
    guide_version: Annotated[int | None, typer.Option(help="Pin a version.")] = None,
    moderator: Annotated[str, typer.Option(help="rule-based or llm.")] = "rule-based",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Set what a study's invitations offer and which interview they lead to."""
    st = get_state(ctx)
    data = _json_file(offer, as_json)
    with refusing(DeliveryError, GuideError, as_json=as_json):
        made = _service(st, project, as_json).setup(
            project,
            study,
            guide=guide,
            offer=data,
            guide_version=guide_version,
            moderator=moderator,
        )
    emit(made.to_dict(), as_json=as_json, text=f"study {study}: invitations lead to {guide}")


@studies_app.command("link")
def link(
    ctx: typer.Context,
    study: Study,
    close: Annotated[bool, typer.Option("--close", help="Close the shareable link.")] = False,
    base_url: BaseUrl = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Open a new shareable link for the study (shown once), or close it."""
    st = get_state(ctx)
    svc = _service(st, project, as_json)
    with refusing(DeliveryError, as_json=as_json):
        if close:
            made = svc.close_share(project, study)
            emit(made.to_dict(), as_json=as_json, text=f"study {study}: shareable link closed")
            return
        made, url = svc.open_share(project, study, _base_url(st, base_url, as_json))
    emit({**made.to_dict(), "url": url}, as_json=as_json, text=url)


@studies_app.command("funnel")
def funnel(
    ctx: typer.Context,
    study: Study,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """invited → seen → accepted → consented → completed, per channel."""
    st = get_state(ctx)
    svc = _service(st, project, as_json)
    info = st.fieldnote.home.running_server()
    with refusing(DeliveryError, ServerError, as_json=as_json):
        if info is not None:  # the server owns the event store: ask it
            client = ServerClient(info)
            try:
                data = client.get(f"/api/projects/{project}/studies/{study}/funnel")
            finally:
                client.close()
        else:
            shown: set[int] = set()
            if st.fieldnote.home.events_path.exists():
                store = st.fieldnote.open_event_store(read_only=True)
                try:
                    shown = shown_invitations(store.connection, project, study)
                finally:
                    store.close()
            data = svc.funnel(project, study, shown=shown).to_dict()
    lines = [f"{s['step']}\t{s['count']}" for s in data["steps"]]
    rate = data["completion_rate"]
    lines.append(f"completion {'—' if rate is None else f'{rate * 100:.1f} %'}")
    emit(data, as_json=as_json, text="\n".join(lines))


@invitations_app.command("add")
def add(
    ctx: typer.Context,
    study: Study,
    person: Annotated[str, typer.Argument(help="The participant's distinct id.")],
    email: Annotated[str | None, typer.Option(help="Address for an email invitation.")] = None,
    channel: Annotated[str, typer.Option(help="email or link.")] = "email",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Queue an invitation to the study (the contact-fatigue policy applies)."""
    svc = _service(get_state(ctx), project, as_json)
    with refusing(DeliveryError, as_json=as_json):
        decision, made = svc.add(project, study, person, channel=channel, email=email)
    body = {
        "queued": made is not None,
        "reason": decision.reason,
        "code": decision.code,
        "invitation": made.to_dict() if made else None,
    }
    text = f"invitation {made.id} queued" if made else f"not queued: {decision.reason}"
    emit(body, as_json=as_json, text=text)


@invitations_app.command("send")
def send(
    ctx: typer.Context,
    study: Study,
    channel: Annotated[str, typer.Option(help="email (SMTP) or link (print the links).")] = "email",
    base_url: BaseUrl = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Send the study's waiting invitations: by email, or as personal links to hand out."""
    st = get_state(ctx)
    svc = _service(st, project, as_json)
    with refusing(DeliveryError, as_json=as_json):
        results = svc.send(
            project, study, channel=channel, base_url=_base_url(st, base_url, as_json)
        )
    sent = sum(r.ok for r in results)
    lines = [
        f"{r.invitation_id}\t{r.distinct_id}\t{'ok' if r.ok else 'FAILED'}\t{r.url or r.error or ''}"
        for r in results
    ]
    lines.append(f"{sent} of {len(results)} delivered")
    emit(
        {
            "results": [r.to_dict() for r in results],
            "delivered": sent,
            "failed": len(results) - sent,
        },
        as_json=as_json,
        text="\n".join(lines),
    )
    if sent < len(results):
        raise typer.Exit(2)


@invitations_app.command("list")
def list_(
    ctx: typer.Context,
    study: Study,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """The study's email and link invitations and how their delivery went."""
    svc = _service(get_state(ctx), project, as_json)
    with refusing(DeliveryError, as_json=as_json):
        rows = svc.store.deliveries(project, study)
    text = "\n".join(
        f"{r['invitation_id']}\t{r['distinct_id']}\t{r['channel']}\t{r['status']}\t{r['delivery']}"
        f"\t{r['attempts']}\t{r['last_error'] or ''}"
        for r in rows
    )
    emit({"invitations": rows}, as_json=as_json, text=text or "no invitations")
