"""``fieldnote opportunities`` and ``fieldnote jobs``: the RICE-ranked backlog and the
job-story library, in the research repository (scoring reads the events)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.cli._context import emit, fail, get_state, refusing, require_project
from fieldnote.cli._events_access import with_events
from fieldnote.cli._options import EngineOpt, ExportOpt, JsonOpt, ProjectOpt
from fieldnote.repository import DEFAULT_PROJECT, SegmentError, ThemeBookError
from fieldnote.repository._job_stories import JobStoryError, JobStoryStore
from fieldnote.repository._opportunities import (
    OpportunityError,
    OpportunityRecord,
    OpportunityStore,
)

__all__ = ["jobs_app", "opportunities_app"]

opportunities_app = typer.Typer(help="Backlog items ranked by RICE.", no_args_is_help=True)
jobs_app = typer.Typer(help='Job stories: "When …, I want to …, so I can …".', no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


NameArg = Annotated[str, typer.Argument()]
StoryArg = Annotated[int, typer.Argument()]


def _opportunities(ctx: typer.Context, project: str, as_json: bool) -> OpportunityStore:
    return OpportunityStore(require_project(ctx, project, as_json=as_json).repository)


def _score(
    ctx: typer.Context,
    project: str,
    names: list[str],
    as_json: bool,
    export: Path | None,
    engine: str,
) -> list[OpportunityRecord]:
    from fieldnote.evidence._stored import score_stored

    repository = get_state(ctx).fieldnote.repository

    def compute(source: Any) -> dict[str, Any]:
        try:
            return {"scored": [score_stored(source, repository, project, n) for n in names]}
        except (OpportunityError, ThemeBookError, SegmentError) as exc:
            raise ValueError(str(exc)) from None

    scored: list[OpportunityRecord] = with_events(
        ctx, project, as_json, compute, export=export, engine=engine
    )["scored"]
    return scored


def _show(record: OpportunityRecord) -> str:
    c = record.components
    if record.score is None:
        return f"{record.name}: not scored yet (`fieldnote opportunities score`)"
    lines = [f"{record.name}: RICE {record.score:,.1f}"]
    for part in ("reach", "impact", "confidence", "effort"):
        lines.append(f"  {part}: {c[part]:,.2f} ← {c[part + '_source']}")
    return "\n".join(lines)


@opportunities_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique within the project.")],
    effort: Annotated[float, typer.Option(help="Person-months, the team's estimate.")],
    book: Annotated[str | None, typer.Option(help="Theme book of the theme.")] = None,
    theme: Annotated[str | None, typer.Option(help="The theme (Impact, Confidence).")] = None,
    segment: Annotated[str | None, typer.Option(help="Saved segment (Reach).")] = None,
    question: Annotated[int | None, typer.Option(help="The Question it answers.")] = None,
    description: Annotated[str, typer.Option(help="What to build.")] = "",
    validate_metric: Annotated[
        str | None, typer.Option(help="Behaviour check for Confidence: engagement, conversion.")
    ] = None,
    validate_event: Annotated[str | None, typer.Option(help="conversion: the event.")] = None,
    validate_from: Annotated[str | None, typer.Option(help="Check from this day.")] = None,
    validate_to: Annotated[str | None, typer.Option(help="Check to this day.")] = None,
    score: Annotated[bool, typer.Option(help="Score it now (reads the events).")] = True,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Add a backlog item linked to its evidence (and score it)."""
    validation: dict[str, Any] = {}
    if validate_metric:
        if not (validate_from and validate_to):
            fail("--validate-metric needs --validate-from and --validate-to", as_json=as_json)
        validation = {
            "metric": validate_metric,
            "event": validate_event,
            "from": validate_from,
            "to": validate_to,
        }
    store = _opportunities(ctx, project, as_json)
    with refusing(OpportunityError, as_json=as_json):
        record = store.create(
            project,
            name,
            effort=effort,
            description=description,
            book=book,
            theme=theme,
            question_id=question,
            segment=segment,
            validation=validation,
            created_by=_actor(),
        )
    if score and record.theme is not None and record.segment is not None:
        record = _score(ctx, project, [record.name], as_json, export, engine)[0]
    emit(record.to_dict(), as_json=as_json, text=_show(record))


@opportunities_app.command("score")
def score_command(
    ctx: typer.Context,
    name: Annotated[list[str] | None, typer.Argument(help="Items (default: all scorable).")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Recompute RICE from the current evidence and keep it."""
    store = _opportunities(ctx, project, as_json)
    names = name or [r.name for r in store.list(project) if r.theme and r.segment]
    scored = _score(ctx, project, names, as_json, export, engine)
    emit(
        {"opportunities": [r.to_dict() for r in scored]},
        as_json=as_json,
        text="\n".join(_show(r) for r in scored) or "nothing to score",
    )


@opportunities_app.command("list")
def list_command(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Ranked by the last computed RICE score (unscored last)."""
    records = _opportunities(ctx, project, as_json).list(project)
    table = Table("rank", "name", "RICE", "reach", "impact", "confidence", "effort", "theme")
    for i, r in enumerate(records, start=1):
        c = r.components
        cells = [f"{c[k]:,.2f}" for k in ("reach", "impact", "confidence")] if c else ["—"] * 3
        table.add_row(
            str(i),
            r.name,
            "—" if r.score is None else f"{r.score:,.1f}",
            *cells,
            f"{r.effort:g}",
            f"{r.book}:{r.theme}" if r.theme else "",
        )
    data = {"opportunities": [{"rank": i, **r.to_dict()} for i, r in enumerate(records, 1)]}
    emit(data if as_json else table, as_json=as_json)


@opportunities_app.command("show")
def show(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """One item with every RICE component and where it came from."""
    with refusing(OpportunityError, as_json=as_json):
        record = _opportunities(ctx, project, as_json).get(project, name)
    emit(record.to_dict(), as_json=as_json, text=_show(record))


@opportunities_app.command("export")
def export_csv(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV file (default stdout).")
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
) -> None:
    """The ranked list as CSV, each component beside its source."""
    from fieldnote.evidence._opportunity import ranked_csv

    text = ranked_csv(_opportunities(ctx, project, False).list(project))
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@opportunities_app.command("delete")
def delete(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Delete an opportunity."""
    with refusing(OpportunityError, as_json=as_json):
        _opportunities(ctx, project, as_json).delete(project, name)
    emit({"deleted": name}, as_json=as_json, text=f"deleted {name!r}")


def _jobs(ctx: typer.Context, project: str, as_json: bool) -> JobStoryStore:
    return JobStoryStore(require_project(ctx, project, as_json=as_json).repository)


EvidenceOpt = Annotated[
    list[str] | None,
    typer.Option("--evidence", "-e", help="note:BOOK:NOTE or theme:BOOK:THEME (repeat)."),
]


@jobs_app.command("add")
def add_job(
    ctx: typer.Context,
    when: Annotated[str, typer.Option("--when", help="The situation.")],
    want: Annotated[str, typer.Option("--want", help="The motivation.")],
    so: Annotated[str, typer.Option("--so", help="The expected outcome.")],
    evidence: EvidenceOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Add a job story linked to its evidence."""
    with refusing(JobStoryError, as_json=as_json):
        story = _jobs(ctx, project, as_json).create(
            project,
            situation=when,
            motivation=want,
            outcome=so,
            evidence=evidence or [],
            created_by=_actor(),
        )
    emit(story.to_dict(), as_json=as_json, text=f"#{story.id} {story.text}")


@jobs_app.command("list")
def list_jobs(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's job stories with their evidence."""
    stories = _jobs(ctx, project, as_json).list(project)
    table = Table("id", "job story", "evidence")
    for s in stories:
        table.add_row(str(s.id), s.text, ", ".join(str(e) for e in s.evidence))
    emit({"job_stories": [s.to_dict() for s in stories]} if as_json else table, as_json=as_json)


@jobs_app.command("show")
def show_job(
    ctx: typer.Context,
    story_id: StoryArg,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """One job story with its evidence."""
    with refusing(JobStoryError, as_json=as_json):
        story = _jobs(ctx, project, as_json).get(project, story_id)
    refs = "\n".join(f"  evidence: {e}" for e in story.evidence)
    emit(story.to_dict(), as_json=as_json, text=f"#{story.id} {story.text}\n{refs}")


@jobs_app.command("edit")
def edit_job(
    ctx: typer.Context,
    story_id: StoryArg,
    when: Annotated[str | None, typer.Option("--when")] = None,
    want: Annotated[str | None, typer.Option("--want")] = None,
    so: Annotated[str | None, typer.Option("--so")] = None,
    evidence: EvidenceOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Change some parts (evidence given replaces the list)."""
    with refusing(JobStoryError, as_json=as_json):
        story = _jobs(ctx, project, as_json).update(
            project, story_id, situation=when, motivation=want, outcome=so, evidence=evidence
        )
    emit(story.to_dict(), as_json=as_json, text=f"#{story.id} {story.text}")


@jobs_app.command("delete")
def delete_job(
    ctx: typer.Context,
    story_id: StoryArg,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Delete a job story."""
    with refusing(JobStoryError, as_json=as_json):
        _jobs(ctx, project, as_json).delete(project, story_id)
    emit({"deleted": story_id}, as_json=as_json, text=f"deleted job story {story_id}")
