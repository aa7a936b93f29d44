"""``fieldnote participants import/list/show/erase``, ``personas``, ``incentives`` and
``studies recruit``: the participant panel (docs/research.md).

Commands that read events (tiers, behaviour criteria) ask the running server, which
owns the event store; without one they open the store read-only. ``erase`` writes the
event store, so with a server running it goes through the server's writer thread
(``POST .../erase`` with the local admin token), like ``fieldnote import``.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, fail, get_state
from fieldnote.cli._participants import _json_file, _repository, participants_app
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.events._erasure import pseudonymise_person
from fieldnote.repository import DEFAULT_PROJECT
from fieldnote.repository._erasure import ErasureTarget, erase_participant
from fieldnote.repository._incentives import IncentiveStore
from fieldnote.repository._panel import PanelError, ParticipantStore
from fieldnote.repository._panel_view import (
    identified_persons,
    panel,
    persona_members,
    recruit_study,
)
from fieldnote.repository._personas import PersonaStore
from fieldnote.research import (
    Criteria,
    CriteriaError,
    IncentiveError,
    PanelImportError,
    Screener,
    parse_did,
    parse_field_map,
    parse_panel_csv,
    parse_where,
)

__all__ = ["incentives_app", "personas_app", "studies_app"]

personas_app = typer.Typer(
    help="Personas: saved attribute + behaviour criteria.", no_args_is_help=True
)
incentives_app = typer.Typer(help="Incentives per participant per study.", no_args_is_help=True)
studies_app = typer.Typer(help="Studies: screeners, quotas and recruitment.", no_args_is_help=True)
_ERRORS = (PanelError, PanelImportError, CriteriaError, IncentiveError)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _audit(ctx: typer.Context, project: str, action: str, target: str) -> None:
    get_state(ctx).fieldnote.audit.record(
        actor=_actor(), action=action, project=project, target=target
    )


def _events(
    ctx: typer.Context, project: str, path: str, local: Callable[[Any], Any], as_json: bool
) -> Any:
    """Ask the running server (GET ``path``), else compute on the store read-only."""
    fn = get_state(ctx).fieldnote
    info = fn.home.running_server()
    if info is not None:
        client = ServerClient(info)
        try:
            return client.get(f"/api/projects/{project}{path}")
        except ServerError as exc:
            fail(str(exc), as_json=as_json)
        finally:
            client.close()
    exists = fn.home.events_path.exists()
    store = fn.open_event_store(read_only=True) if exists else None
    try:
        if store is None:
            return local(None)
        with store.reader() as cur:
            return local(cur)
    except _ERRORS as exc:
        fail(str(exc), as_json=as_json)
    finally:
        if store is not None:
            store.close()


@participants_app.command("import")
def import_panel(
    ctx: typer.Context,
    path: Path,
    field_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="COLUMN=FIELD (email, name, company, role, company_size, phone, "
            "distinct_id, customer, custom.NAME); repeatable.",
        ),
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Import a customer list (CSV): every row valid or nothing imported; re-runs upsert."""
    repo = _repository(ctx, project, as_json)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read as UTF-8 text ({exc})", as_json=as_json)
    try:
        rows = parse_panel_csv(text, parse_field_map(field_map or []))
        done = ParticipantStore(repo).import_rows(project, rows)
    except PanelImportError as exc:
        if as_json:
            emit({"error": str(exc), "problems": [p.to_dict() for p in exc.problems]}, as_json=True)
            raise typer.Exit(1) from exc
        fail(f"{path}: {exc}")
    _audit(ctx, project, "participants.import", f"file:{path.name}")
    emit(
        done.to_dict(),
        as_json=as_json,
        text=f"{done.rows} rows: {done.created} new, {done.updated} updated, "
        f"{done.unchanged} unchanged",
    )


@participants_app.command("sync")
def sync(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Add the product's identified users (persons with an email) to the panel."""
    repo = _repository(ctx, project, as_json)
    info = get_state(ctx).fieldnote.home.running_server()
    if info is not None:
        client = ServerClient(info)
        try:
            data = client.post(f"/api/projects/{project}/participants/sync", {})
        except ServerError as exc:
            fail(str(exc), as_json=as_json)
        finally:
            client.close()
    else:
        found = _events(
            ctx,
            project,
            "",
            lambda cur: identified_persons(cur, project) if cur is not None else [],
            as_json,
        )
        data = ParticipantStore(repo).sync_persons(project, found).to_dict()
        _audit(ctx, project, "participants.sync", "participants")
    emit(
        data,
        as_json=as_json,
        text=f"{data['rows']} identified persons: {data['created']} "
        f"new, {data['updated']} linked, {data['unchanged']} unchanged",
    )


@participants_app.command("list")
def list_panel(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The panel with usage tier, kind (user/customer/both) and consent (personal data)."""
    repo = _repository(ctx, project, as_json)
    today = datetime.now(UTC).date()
    data = _events(
        ctx,
        project,
        "/participants",
        lambda cur: {"participants": [v.to_dict() for v in panel(repo, project, cur, today)]},
        as_json,
    )
    _audit(ctx, project, "participants.list", "participants")
    lines = [
        f"{p['id']}\t{p['email'] or '-'}\t{p['name'] or '-'}\t{p['tier']}\t{p['kind']}"
        f"\t{p['consent']}"
        for p in data["participants"]
    ]
    emit(data, as_json=as_json, text="\n".join(lines) or "no participants")


@participants_app.command("show")
def show_participant(
    ctx: typer.Context, key: str, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """One participant (id, email or distinct_id) with tier, consent and incentives."""
    repo = _repository(ctx, project, as_json)

    def local(cur: Any) -> dict[str, Any]:
        who = ParticipantStore(repo).get(project, key)
        views = panel(repo, project, cur, datetime.now(UTC).date())
        view = next(v for v in views if v.participant.id == who.id) if not who.erased_at else None
        data = view.to_dict() if view else who.to_dict()
        data["incentives"] = [
            i.to_dict() for i in IncentiveStore(repo).list(project, participant_id=who.id)
        ]
        return data

    data = _events(ctx, project, f"/participants/{key}", local, as_json)
    _audit(ctx, project, "participant.read", f"participant:{data['id']}")
    emit(data, as_json=as_json, text="\n".join(f"{k}: {v}" for k, v in data.items()))


@participants_app.command("erase")
def erase(
    ctx: typer.Context, key: str, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Erase a participant's personal data everywhere and pseudonymise their events."""
    fn = get_state(ctx).fieldnote
    repo = _repository(ctx, project, as_json)
    info = fn.home.running_server()
    if info is not None:
        client = ServerClient(info)
        try:
            data = client.post(f"/api/projects/{project}/participants/{key}/erase", {})
        except ServerError as exc:
            fail(str(exc), as_json=as_json)
        finally:
            client.close()
    else:
        store = fn.open_event_store() if fn.home.events_path.exists() else None

        def events(target: ErasureTarget) -> dict[str, int]:
            assert store is not None
            return pseudonymise_person(
                store.connection,
                target.project,
                target.distinct_ids,
                target.pseudonym,
                target.identifiers,
            ).to_dict()

        try:
            data = erase_participant(
                repo, project, key, actor=_actor(), events=events if store is not None else None
            ).to_dict()
        except PanelError as exc:
            fail(str(exc), as_json=as_json)
        finally:
            if store is not None:
                store.close()
    emit(
        data,
        as_json=as_json,
        text=f"participant {data['participant_id']} erased (now {data['pseudonym']})",
    )


def _criteria(
    where: list[str] | None, did: list[str] | None, file: Path | None, as_json: bool
) -> Criteria:
    try:
        if file is not None:
            return Criteria.from_dict(_json_file(file, as_json))
        return Criteria(
            tuple(parse_where(w) for w in where or []), tuple(parse_did(d) for d in did or [])
        )
    except CriteriaError as exc:
        fail(str(exc), as_json=as_json)


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
    try:
        made = PersonaStore(_repository(ctx, project, as_json)).create(
            project, name, crit, description=description
        )
    except PanelError as exc:
        fail(str(exc), as_json=as_json)
    _audit(ctx, project, "persona.create", f"persona:{name}")
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
    try:
        found = PersonaStore(_repository(ctx, project, as_json)).get(project, name)
    except PanelError as exc:
        fail(str(exc), as_json=as_json)
    emit(found.to_dict(), as_json=as_json, text=str(found.to_dict()))


@personas_app.command("members")
def members(
    ctx: typer.Context, name: str, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Participants matching the persona now (personal data)."""
    repo = _repository(ctx, project, as_json)
    today = datetime.now(UTC).date()
    data = _events(
        ctx,
        project,
        f"/personas/{name}/members",
        lambda cur: {
            "persona": name,
            "members": [m.to_dict() for m in persona_members(repo, project, name, cur, today)[0]],
        },
        as_json,
    )
    _audit(ctx, project, "persona.members", f"persona:{name}")
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
    _audit(ctx, project, "study.screener", f"study:{study}")
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
    data = _events(
        ctx,
        project,
        f"/studies/{study}/recruit",
        lambda cur: recruit_study(repo, project, study, cur).to_dict(),
        as_json,
    )
    _audit(ctx, project, "study.recruit", f"study:{study}")
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
    try:
        made = IncentiveStore(_repository(ctx, project, as_json)).set(
            project, participant, study, amount, currency
        )
    except (PanelError, IncentiveError) as exc:
        fail(str(exc), as_json=as_json)
    _audit(ctx, project, "incentive.set", f"incentive:{made.id}")
    emit(
        made.to_dict(),
        as_json=as_json,
        text=f"incentive {made.id}: {made.amount} {made.currency} {made.status}",
    )


def _move(ctx: typer.Context, incentive: int, action: str, project: str, as_json: bool) -> None:
    try:
        made = IncentiveStore(_repository(ctx, project, as_json)).act(project, incentive, action)
    except (PanelError, IncentiveError) as exc:
        fail(str(exc), as_json=as_json)
    _audit(ctx, project, f"incentive.{action}", f"incentive:{made.id}")
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


def register(app: typer.Typer) -> None:
    """Add ``personas`` and ``incentives``; put ``screener``/``recruit`` into the
    ``studies`` group when another module already registered one (else add ours)."""
    app.add_typer(personas_app, name="personas")
    app.add_typer(incentives_app, name="incentives")
    existing = next((g.typer_instance for g in app.registered_groups if g.name == "studies"), None)
    if existing is None:
        app.add_typer(studies_app, name="studies")
        return
    for command in studies_app.registered_commands:
        existing.registered_commands.append(command)
