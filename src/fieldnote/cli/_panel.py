"""``fieldnote participants import/list/show/erase``, ``personas``, ``incentives`` and
``studies recruit``: the participant panel (docs/research.md).

Commands that read events (tiers, behaviour criteria) ask the running server, which
owns the event store; without one they open the store read-only. ``erase`` writes the
event store, so with a server running it goes through the server's writer thread
(``POST .../erase`` with the local admin token), like ``fieldnote import``.
"""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer

from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.cli._panel_common import actor, audit, audit_read, on_events
from fieldnote.cli._participants import _repository, participants_app
from fieldnote.cli._personas import incentives_app, personas_app, studies_app
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.events._erasure import erase_person_events
from fieldnote.events._rewrite import StoreRewriteError
from fieldnote.events.segments import CompactionBusyError, erase_in_segments
from fieldnote.repository import DEFAULT_PROJECT
from fieldnote.repository._erasure import ErasureTarget, erase_participant
from fieldnote.repository._incentives import IncentiveStore
from fieldnote.repository._panel import PanelError, ParticipantStore
from fieldnote.repository._panel_view import (
    identified_persons,
    panel,
)
from fieldnote.research import (
    PanelImportError,
    parse_field_map,
    parse_panel_csv,
)

__all__ = ["register"]


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
    audit(ctx, project, "participants.import", f"file:{path.name}")
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
        with closing(client), refusing(ServerError, as_json=as_json):
            data = client.post(f"/api/projects/{project}/participants/sync", {})
    else:
        found = on_events(
            ctx,
            project,
            "",
            lambda cur: identified_persons(cur, project) if cur is not None else [],
            as_json,
        )
        data = ParticipantStore(repo).sync_persons(project, found).to_dict()
        audit(ctx, project, "participants.sync", "participants")
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
    data = on_events(
        ctx,
        project,
        "/participants",
        lambda cur: {"participants": [v.to_dict() for v in panel(repo, project, cur, today)]},
        as_json,
    )
    audit_read(ctx, project, "participants.list", "participants")
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

    data = on_events(ctx, project, f"/participants/{key}", local, as_json)
    audit_read(ctx, project, "participant.read", f"participant:{data['id']}")
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
        with closing(client), refusing(ServerError, as_json=as_json):
            data = client.post(f"/api/projects/{project}/participants/{key}/erase", {})
    else:
        try:
            store = fn.open_event_store() if fn.home.events_path.exists() else None
        except duckdb.Error as exc:
            fail(
                f"cannot open {fn.home.events_path} for writing ({str(exc).splitlines()[0]}); "
                "is another fieldnote process using it?",
                as_json=as_json,
            )

        segments = fn.settings.segments_dir

        def events(target: ErasureTarget) -> dict[str, int]:
            args = (target.project, target.distinct_ids, target.pseudonym, target.identifiers)
            done = erase_person_events(store, *args).to_dict() if store is not None else {}
            if segments is not None:  # scale-out capture: the shared segments folder too
                done.update(erase_in_segments(segments, *args).to_dict())
            return done

        has_events = store is not None or segments is not None
        try:
            data = erase_participant(
                repo, project, key, actor=actor(), events=events if has_events else None
            ).to_dict()
        except PanelError as exc:
            fail(str(exc), as_json=as_json)
        except (duckdb.Error, StoreRewriteError, CompactionBusyError) as exc:
            # the repository was not touched yet: run it again
            fail(
                f"the event store refused the change ({str(exc).splitlines()[0]}); "
                "nothing in the repository changed, run the command again",
                as_json=as_json,
            )
        finally:
            if store is not None:
                store.close()
    emit(
        data,
        as_json=as_json,
        text=f"participant {data['participant_id']} erased (now {data['pseudonym']})",
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
