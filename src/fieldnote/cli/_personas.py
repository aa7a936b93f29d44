"""``fieldnote personas``, ``incentives`` and ``studies screener/recruit``: saved
criteria, incentives per participant per study, and a study's recruitment
(docs/research.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, fail, refusing
from fieldnote.cli._panel_common import audit, audit_read, on_events
from fieldnote.cli._participants import _json_file, _repository
from fieldnote.repository import DEFAULT_PROJECT
from fieldnote.repository._incentives import IncentiveStore
from fieldnote.repository._panel import PanelError
from fieldnote.repository._panel_view import (
    persona_members,
    recruit_study,
)
from fieldnote.repository._personas import PersonaStore
from fieldnote.research import (
    Criteria,
    CriteriaError,
    IncentiveError,
    Screener,
    parse_did,
    parse_where,
)

__all__ = ["incentives_app", "personas_app", "studies_app"]

personas_app = typer.Typer(
    help="Personas: saved attribute + behaviour criteria.", no_args_is_help=True
)
incentives_app = typer.Typer(help="Incentives per participant per study.", no_args_is_help=True)
studies_app = typer.Typer(help="Studies: screeners, quotas and recruitment.", no_args_is_help=True)


def _criteria(
    where: list[str] | None, did: list[str] | None, file: Path | None, as_json: bool
) -> Criteria:
    with refusing(CriteriaError, as_json=as_json):
        if file is not None:
            return Criteria.from_dict(_json_file(file, as_json))
        return Criteria(
            tuple(parse_where(w) for w in where or []), tuple(parse_did(d) for d in did or [])
        )


WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", help="FIELD OP VALUE, e.g. 'role in PM,Designer', 'company_size>=50'."),
]
DidOpt = Annotated[
    list[str] | None, typer.Option("--did", help="EVENT>=N/DAYSd, e.g. 'report_created>=3/30d'.")
]
FileOpt = Annotated[Path | None, typer.Option("--file", help="Criteria as JSON.")]


@personas_app.command("create")
def create_persona(
    ctx: typer.Context,
    name: str,
    where: WhereOpt = None,
    did: DidOpt = None,
    file: FileOpt = None,
    description: str = "",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Save a persona: attribute (--where) and behaviour (--did) criteria."""
    crit = _criteria(where, did, file, as_json)
    with refusing(PanelError, as_json=as_json):
        made = PersonaStore(_repository(ctx, project, as_json)).create(
            project, name, crit, description=description
        )
    audit(ctx, project, "persona.create", f"persona:{name}")
    emit(made.to_dict(), as_json=as_json, text=f"persona {made.name} created (id {made.id})")


@personas_app.command("list")
def list_personas(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's personas."""
    found = PersonaStore(_repository(ctx, project, as_json)).list(project)
    emit(
        {"personas": [p.to_dict() for p in found]},
        as_json=as_json,
        text="\n".join(f"{p.id}\t{p.name}\t{p.description}" for p in found) or "no personas",
    )


@personas_app.command("show")
def show_persona(
    ctx: typer.Context, name: str, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """A persona's criteria."""
    with refusing(PanelError, as_json=as_json):
        found = PersonaStore(_repository(ctx, project, as_json)).get(project, name)
    emit(found.to_dict(), as_json=as_json, text=str(found.to_dict()))


@personas_app.command("members")
def members(
    ctx: typer.Context, name: str, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Participants matching the persona now (personal data)."""
    repo = _repository(ctx, project, as_json)
    today = datetime.now(UTC).date()
    data = on_events(
        ctx,
        project,
        f"/personas/{name}/members",
        lambda cur: {
            "persona": name,
            "members": [m.to_dict() for m in persona_members(repo, project, name, cur, today)[0]],
        },
        as_json,
    )
    audit_read(ctx, project, "persona.members", f"persona:{name}")
    emit(
        data,
        as_json=as_json,
        text="\n".join(f"{m['id']}\t{m['email'] or '-'}\t{m['tier']}" for m in data["members"])
        or "nobody",
    )


@studies_app.command("screener")
def screener(
    ctx: typer.Context,
    study: int,
    file: Path,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Set a study's screener: criteria, personas, quotas per tier/persona/kind, target."""
    try:
        info = PersonaStore(_repository(ctx, project, as_json)).set_screener(
            project, study, Screener.from_dict(_json_file(file, as_json))
        )
    except (PanelError, CriteriaError) as exc:
        fail(f"{file}: {exc}", as_json=as_json)
    audit(ctx, project, "study.screener", f"study:{study}")
    emit(
        {"study_id": info.id, "screener": info.screener.to_dict()},
        as_json=as_json,
        text=f"study {info.id}: screener saved",
    )


@studies_app.command("recruit")
def recruit(
    ctx: typer.Context, study: int, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Ranked candidates with why each was chosen, waitlisted or excluded; quota fill."""
    repo = _repository(ctx, project, as_json)
    data = on_events(
        ctx,
        project,
        f"/studies/{study}/recruit",
        lambda cur: recruit_study(repo, project, study, cur).to_dict(),
        as_json,
    )
    audit_read(ctx, project, "study.recruit", f"study:{study}")
    lines = [
        f"{c['outcome']:<10} #{c['participant_id']} {c['email'] or '-'} "
        f"[{c['tier']}] score {c['score']}: {'; '.join(c['reasons'])}"
        for c in data["candidates"]
    ]
    lines += [
        f"quota {f['by']}={f['value']}: {f['filled']}/{f['wanted']}" for f in data["quota_fill"]
    ]
    lines += [f"warning: {w}" for w in data["warnings"]]
    emit(data, as_json=as_json, text="\n".join(lines))


@incentives_app.command("set")
def set_incentive(
    ctx: typer.Context,
    participant: str,
    study: int,
    amount: str,
    currency: str,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Promise an incentive (or change a promised amount): AMOUNT CURRENCY (ISO 4217)."""
    with refusing(PanelError, IncentiveError, as_json=as_json):
        made = IncentiveStore(_repository(ctx, project, as_json)).set(
            project, participant, study, amount, currency
        )
    audit(ctx, project, "incentive.set", f"incentive:{made.id}")
    emit(
        made.to_dict(),
        as_json=as_json,
        text=f"incentive {made.id}: {made.amount} {made.currency} {made.status}",
    )


def _move(ctx: typer.Context, incentive: int, action: str, project: str, as_json: bool) -> None:
    with refusing(PanelError, IncentiveError, as_json=as_json):
        made = IncentiveStore(_repository(ctx, project, as_json)).act(project, incentive, action)
    audit(ctx, project, f"incentive.{action}", f"incentive:{made.id}")
    emit(made.to_dict(), as_json=as_json, text=f"incentive {made.id}: {made.status}")


@incentives_app.command("pay")
def pay(
    ctx: typer.Context,
    incentive: int,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Mark a promised incentive paid."""
    _move(ctx, incentive, "pay", project, as_json)


@incentives_app.command("cancel")
def cancel(
    ctx: typer.Context,
    incentive: int,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a promised incentive."""
    _move(ctx, incentive, "cancel", project, as_json)


@incentives_app.command("list")
def list_incentives(
    ctx: typer.Context,
    study: int | None = None,
    status: str | None = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Incentives (filter by --study, --status)."""
    found = IncentiveStore(_repository(ctx, project, as_json)).list(
        project, study_id=study, status=status
    )
    emit(
        {"incentives": [i.to_dict() for i in found]},
        as_json=as_json,
        text="\n".join(
            f"{i.id}\tparticipant {i.participant_id}\tstudy {i.study_id}\t{i.amount} "
            f"{i.currency}\t{i.status}"
            for i in found
        )
        or "no incentives",
    )
