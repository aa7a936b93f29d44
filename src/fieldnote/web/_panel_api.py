"""The participant panel over HTTP (docs/api.md), mirroring ``fieldnote participants``,
``personas``, ``incentives`` and ``studies recruit``.

Everything here is personal data: reads need ``READ_PERSONAL_DATA`` and are audited;
writes need ``WRITE_RESEARCH`` and are audited. Tiers and behaviour criteria read the
event store through this server's own connection; erasure runs its event-store half
on the group-commit writer thread (``writer.call``), the single writer — the CLI sends
``participants erase`` here while a server runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from fieldnote.events._erasure import erase_person_events
from fieldnote.events._rewrite import StoreRewriteError
from fieldnote.events.segments import CompactionBusyError, ParquetSegmentSink, erase_in_segments
from fieldnote.repository import Permission
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
    parse_field_map,
    parse_panel_csv,
)
from fieldnote.web._auth import state
from fieldnote.web._guards import Access, Guard
from fieldnote.web._project_access import CanReadPersonal, ErrorMap, ProjectAccess
from fieldnote.web._project_access import CanWrite as Writer  # CanWrite: erasure's Guard

__all__ = ["router"]

T = TypeVar("T")

router = APIRouter(prefix="/api", tags=["participants"])

CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]  # erasure's route


def _detail(exc: Exception) -> Any:
    if isinstance(exc, PanelImportError):
        return {"error": str(exc), "problems": [p.to_dict() for p in exc.problems]}
    return str(exc)


def _status(exc: Exception) -> int:
    return 404 if str(exc).startswith("no ") else 422


ERRORS = ErrorMap(
    dict.fromkeys((PanelError, PanelImportError, CriteriaError, IncentiveError), _status),
    detail=_detail,
)


class ImportIn(BaseModel):
    csv: str = Field(max_length=50_000_000)
    map: list[str] = Field(default_factory=list)


class PersonaIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    criteria: dict[str, Any]


class IncentiveIn(BaseModel):
    participant: str = Field(min_length=1, max_length=320)
    study_id: int
    amount: str = Field(min_length=1, max_length=32)
    currency: str = Field(min_length=1, max_length=8)


async def _call(ctx: ProjectAccess, action: str, target: str, fn: Callable[[], T]) -> T:
    """Run a library call off the loop, map its errors to 404/422, audit it."""
    result = await ctx.run(fn, ERRORS)
    await ctx.audit(action, target)
    return result


def _on_events(ctx: ProjectAccess, compute: Callable[[Any], T]) -> T:
    store = ctx.state.store
    if store is None:
        return compute(None)
    with store.reader() as cur:
        return compute(cur)


@router.get("/projects/{project}/participants")
async def list_participants(ctx: CanReadPersonal) -> dict[str, Any]:
    repo, project = ctx.repository, ctx.project
    today = datetime.now(UTC).date()
    views = await _call(
        ctx,
        "participants.list",
        "participants",
        lambda: _on_events(ctx, lambda cur: panel(repo, project, cur, today)),
    )
    return {"participants": [v.to_dict() for v in views]}


@router.get("/projects/{project}/participants/{key}")
async def show_participant(key: str, ctx: CanReadPersonal) -> dict[str, Any]:
    repo, project = ctx.repository, ctx.project

    def compute() -> dict[str, Any]:
        who = ParticipantStore(repo).get(project, key)
        today = datetime.now(UTC).date()
        views = _on_events(ctx, lambda cur: panel(repo, project, cur, today))
        view = next((v for v in views if v.participant.id == who.id), None)
        data = view.to_dict() if view else who.to_dict()
        data["incentives"] = [
            i.to_dict() for i in IncentiveStore(repo).list(project, participant_id=who.id)
        ]
        return data

    return dict(await _call(ctx, "participant.read", f"participant:{key}", compute))


@router.post("/projects/{project}/participants/import")
async def import_participants(body: ImportIn, ctx: Writer) -> Any:
    repo, project = ctx.repository, ctx.project

    def run() -> dict[str, int]:
        rows = parse_panel_csv(body.csv, parse_field_map(body.map))
        return ParticipantStore(repo).import_rows(project, rows).to_dict()

    return await _call(ctx, "participants.import", "participants", run)


@router.post("/projects/{project}/participants/sync")
async def sync_participants(ctx: Writer) -> Any:
    """Add the identified persons of the events (emails in person properties)."""
    repo, project = ctx.repository, ctx.project

    def run() -> dict[str, int]:
        found = _on_events(ctx, lambda cur: identified_persons(cur, project) if cur else [])
        return ParticipantStore(repo).sync_persons(project, found).to_dict()

    return await _call(ctx, "participants.sync", "participants", run)


@router.post("/projects/{project}/participants/{key}/erase")
async def erase(request: Request, key: str, access: CanWrite) -> dict[str, Any]:
    st = state(request)
    store = st.store

    def events(target: ErasureTarget) -> dict[str, int]:
        if store is None:
            if isinstance(st.sink, ParquetSegmentSink):  # scale-out: the shared folder
                return erase_in_segments(
                    st.sink.root,
                    target.project,
                    target.distinct_ids,
                    target.pseudonym,
                    target.identifiers,
                ).to_dict()
            raise PanelError("this server has no event store to pseudonymise")

        def on_writer() -> dict[str, int]:
            done = erase_person_events(
                store, target.project, target.distinct_ids, target.pseudonym, target.identifiers
            )
            return done.to_dict()

        return st.writer.call(on_writer).result()

    try:
        report = await run_in_threadpool(
            lambda: erase_participant(
                st.fieldnote.repository,
                access.project_name,
                key,
                actor=access.principal.actor,
                events=events,
            )
        )
    except PanelError as exc:
        raise HTTPException(404 if str(exc).startswith("no ") else 409, str(exc)) from exc
    except (duckdb.Error, StoreRewriteError, CompactionBusyError) as exc:
        # nothing was changed in the repository yet: safe to retry
        raise HTTPException(
            503, f"the event store refused the change ({str(exc).splitlines()[0]}); retry"
        ) from exc
    return report.to_dict()


@router.get("/projects/{project}/personas")
async def list_personas(ctx: CanReadPersonal) -> dict[str, Any]:
    found = await ctx.run(lambda: PersonaStore(ctx.repository).list(ctx.project))
    return {"personas": [p.to_dict() for p in found]}


@router.post("/projects/{project}/personas", status_code=201)
async def create_persona(body: PersonaIn, ctx: Writer) -> Any:
    made = await _call(
        ctx,
        "persona.create",
        f"persona:{body.name}",
        lambda: PersonaStore(ctx.repository).create(
            ctx.project, body.name, Criteria.from_dict(body.criteria), description=body.description
        ),
    )
    return made.to_dict()


@router.get("/projects/{project}/personas/{name}/members")
async def persona_members_api(name: str, ctx: CanReadPersonal) -> Any:
    repo, project = ctx.repository, ctx.project
    today = datetime.now(UTC).date()
    members, _ = await _call(
        ctx,
        "persona.members",
        f"persona:{name}",
        lambda: _on_events(ctx, lambda cur: persona_members(repo, project, name, cur, today)),
    )
    return {"persona": name, "members": [m.to_dict() for m in members]}


@router.put("/projects/{project}/studies/{study_id}/screener")
async def set_screener(study_id: int, body: dict[str, Any], ctx: Writer) -> Any:
    info = await _call(
        ctx,
        "study.screener",
        f"study:{study_id}",
        lambda: PersonaStore(ctx.repository).set_screener(
            ctx.project, study_id, Screener.from_dict(body)
        ),
    )
    return {"study_id": info.id, "screener": info.screener.to_dict()}


@router.get("/projects/{project}/studies/{study_id}/recruit")
async def recruit(study_id: int, ctx: CanReadPersonal) -> Any:
    repo, project = ctx.repository, ctx.project
    result = await _call(
        ctx,
        "study.recruit",
        f"study:{study_id}",
        lambda: _on_events(ctx, lambda cur: recruit_study(repo, project, study_id, cur)),
    )
    return result.to_dict()


@router.get("/projects/{project}/incentives")
async def list_incentives(ctx: CanReadPersonal) -> dict[str, Any]:
    found = await ctx.run(lambda: IncentiveStore(ctx.repository).list(ctx.project))
    return {"incentives": [i.to_dict() for i in found]}


@router.post("/projects/{project}/incentives", status_code=201)
async def set_incentive(body: IncentiveIn, ctx: Writer) -> Any:
    made = await _call(
        ctx,
        "incentive.set",
        f"study:{body.study_id}",
        lambda: IncentiveStore(ctx.repository).set(
            ctx.project, body.participant, body.study_id, body.amount, body.currency
        ),
    )
    return made.to_dict()


@router.post("/projects/{project}/incentives/{incentive_id}/{action}")
async def move_incentive(incentive_id: int, action: str, ctx: Writer) -> Any:
    made = await _call(
        ctx,
        f"incentive.{action}"[:64],
        f"incentive:{incentive_id}",
        lambda: IncentiveStore(ctx.repository).act(ctx.project, incentive_id, action),
    )
    return made.to_dict()
