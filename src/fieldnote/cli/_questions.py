"""``fieldnote questions``: research questions opened by monitors, their proposed study
(with its tier mix) and the times kept for time-to-diagnosis (study started,
diagnosed). Read and written in the research repository directly, audited as
``cli:<os user>``."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, get_state, refusing
from fieldnote.repository import (
    DEFAULT_PROJECT,
    ProjectError,
    Repository,
    ResearchError,
    ResearchStore,
)

__all__ = ["questions_app"]

questions_app = typer.Typer(help="Research questions opened by monitors.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _repository(ctx: typer.Context, project: str, as_json: bool) -> Repository:
    """The repository, once the project is known to exist (the default one is made)."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        fn.projects.require(project)
    return fn.repository


@questions_app.command("list")
def list_questions(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open, diagnosed or closed.")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Research questions, newest first."""
    with refusing(ResearchError, as_json=as_json):
        found = ResearchStore(_repository(ctx, project, as_json)).list(project, status=status)
    if as_json:
        emit({"questions": [q.to_dict() for q in found]}, as_json=True)
        return
    for q in found:
        emit(None, as_json=False, text=f"#{q.id} [{q.status}] {q.text}")


@questions_app.command("show")
def show(
    ctx: typer.Context,
    question_id: int,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """A question with its evidence and proposed study."""
    with refusing(ResearchError, as_json=as_json):
        q = ResearchStore(_repository(ctx, project, as_json)).get(project, question_id)
    if as_json:
        emit(q.to_dict(), as_json=True)
        return
    emit(None, as_json=False, text=f"#{q.id} [{q.status}] {q.text}")
    for s in q.studies:
        emit(
            None,
            as_json=False,
            text=f"  study #{s.id} ({s.status}): {s.quota_min}-{s.quota_max} participants "
            f"by {s.deadline_at.isoformat(timespec='minutes')}",
        )
        order = ("daily", "occasional", "churned")
        plan_mix = s.plan.get("mix", {})
        mix = ", ".join(f"{plan_mix[t]} {t}" for t in order if t in plan_mix)
        started = s.started_at.isoformat(timespec="minutes") if s.started_at else "not yet"
        emit(None, as_json=False, text=f"    mix: {mix}; started: {started}")
        tiers = s.plan.get("tiers")
        if tiers:
            have = ", ".join(f"{tiers['available'].get(t, 0)} {t}" for t in order)
            note = f" ({tiers['note']})" if tiers.get("note") else ""
            emit(None, as_json=False, text=f"    segment users by tier: {have}{note}")
        for seg in s.plan.get("segments", []):
            emit(None, as_json=False, text=f"    segment {seg['name']}: {seg['description']}")
    if q.diagnosed_at and q.time_to_diagnosis:
        hours = q.time_to_diagnosis.total_seconds() / 3600
        emit(
            None, as_json=False, text=f"  diagnosed {q.diagnosed_at:%Y-%m-%d %H:%M} ({hours:.1f} h)"
        )


@questions_app.command("start-study")
def start_study(
    ctx: typer.Context,
    question_id: int,
    study: Annotated[
        int | None, typer.Option(help="The study's id (default: the question's only one).")
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Mark the question's study started (kept once, for time-to-diagnosis)."""
    repository = _repository(ctx, project, as_json)
    research = ResearchStore(repository)
    with refusing(ResearchError, as_json=as_json):
        q = research.get(project, question_id)
        ids = [s.id for s in q.studies]
        if study is None and len(ids) != 1:
            raise ResearchError(
                f"question {question_id} has {len(ids)} studies: give --study ID"
                + (f" (one of {', '.join(map(str, ids))})" if ids else "")
            )
        chosen = study if study is not None else ids[0]
        if chosen not in ids:
            raise ResearchError(f"question {question_id} has no study {chosen}")
        found = research.start_study(project, chosen)
    get_state(ctx).fieldnote.audit.record(
        actor=_actor(), action="study.start", project=project, target=f"study:{chosen}"
    )
    when = found.started_at.isoformat(timespec="minutes") if found.started_at else "-"
    emit(found.to_dict(), as_json=as_json, text=f"study #{found.id} started {when}")


@questions_app.command("diagnosed")
def diagnosed(
    ctx: typer.Context,
    question_id: int,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Mark the question diagnosed: we know why (stops its time-to-diagnosis clock)."""
    research = ResearchStore(_repository(ctx, project, as_json))
    with refusing(ResearchError, as_json=as_json):
        q = research.mark_diagnosed(project, question_id)
    get_state(ctx).fieldnote.audit.record(
        actor=_actor(), action="question.diagnosed", project=project, target=f"question:{q.id}"
    )
    hours = q.time_to_diagnosis.total_seconds() / 3600 if q.time_to_diagnosis else 0.0
    emit(q.to_dict(), as_json=as_json, text=f"question #{q.id} diagnosed after {hours:.1f} h")
