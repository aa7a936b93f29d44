"""``fieldnote hypotheses``: candidate answers to a research question, with evidence.

Writes go straight to the research repository (like ``releases``); every status move
is kept with who made it and why. ``trend`` prints the weekly time-to-diagnosis.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, get_state, refusing
from fieldnote.repository import (
    DEFAULT_PROJECT,
    HypothesisError,
    HypothesisRecord,
    HypothesisStore,
    ProjectError,
    ResearchError,
    ResearchStore,
)
from fieldnote.research import QuestionTimes, diagnosis_trend

__all__ = ["app"]

app = typer.Typer(help="Hypotheses on research questions and their evidence.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _store(ctx: typer.Context, project: str, as_json: bool) -> HypothesisStore:
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        fn.projects.require(project)
    return HypothesisStore(fn.repository)


def _show(h: HypothesisRecord, as_json: bool) -> None:
    emit(h.to_dict(), as_json=as_json, text=f"#{h.id} [{h.status}] q{h.question_id}: {h.text}")


@app.command("add")
def add(
    ctx: typer.Context,
    question_id: Annotated[int, typer.Argument(help="The question it would answer.")],
    text: Annotated[str, typer.Argument(help="The hypothesis, one sentence.")],
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Add an open hypothesis to a question."""
    with refusing(HypothesisError, as_json=as_json):
        h = _store(ctx, project, as_json).add(project, question_id, text, actor=_actor())
    _show(h, as_json)


@app.command("list")
def list_hypotheses(
    ctx: typer.Context,
    question: Annotated[int | None, typer.Option(help="Only this question's.")] = None,
    status: Annotated[
        str | None, typer.Option(help="open, supported, refuted or inconclusive.")
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Hypotheses with their evidence and status history."""
    with refusing(HypothesisError, as_json=as_json):
        found = _store(ctx, project, as_json).list(project, question_id=question, status=status)
    if as_json:
        emit({"hypotheses": [h.to_dict() for h in found]}, as_json=True)
        return
    for h in found:
        _show(h, False)
        for e in h.evidence:
            emit(None, as_json=False, text=f"    {e.stance} {e.kind}:{e.ref} {e.excerpt or ''}")


@app.command("set-status")
def set_status(
    ctx: typer.Context,
    hypothesis_id: Annotated[int, typer.Argument(help="The hypothesis.")],
    status: Annotated[str, typer.Argument(help="open, supported, refuted or inconclusive.")],
    reason: Annotated[str, typer.Option(help="Why, for the audit trail.")] = "",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Move a hypothesis to a new status (kept with who, when and why)."""
    with refusing(HypothesisError, as_json=as_json):
        h = _store(ctx, project, as_json).set_status(
            project, hypothesis_id, status, actor=_actor(), reason=reason
        )
    _show(h, as_json)


@app.command("link")
def link(
    ctx: typer.Context,
    hypothesis_id: Annotated[int, typer.Argument(help="The hypothesis.")],
    kind: Annotated[
        str, typer.Argument(help="note, theme, metric, signal, decomposition, interview, quote.")
    ],
    ref: Annotated[str, typer.Argument(help="The evidence's id in its own store.")],
    stance: Annotated[str, typer.Option(help="supports, refutes or context.")] = "supports",
    excerpt: Annotated[str | None, typer.Option(help="A quote or figure to show.")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Link a piece of evidence (a typed reference) to a hypothesis."""
    with refusing(HypothesisError, as_json=as_json):
        h = _store(ctx, project, as_json).link(
            project,
            hypothesis_id,
            kind=kind,
            ref=ref,
            stance=stance,
            excerpt=excerpt,
            actor=_actor(),
        )
    _show(h, as_json)


@app.command("trend")
def trend(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Median time-to-diagnosis per week (with counts; small weeks flagged)."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, ResearchError, as_json=as_json):
        fn.projects.require(project)
        questions = ResearchStore(fn.repository).list(project)
    weeks = diagnosis_trend(
        QuestionTimes(question_id=q.id, opened_at=q.opened_at, diagnosed_at=q.diagnosed_at)
        for q in questions
    )
    if as_json:
        emit({"weeks": [w.to_dict() for w in weeks]}, as_json=True)
        return
    for w in weeks:
        flag = " (small sample)" if w.small_sample else ""
        emit(
            None,
            as_json=False,
            text=f"{w.week_start}: median {w.median_hours:.1f} h, n = {w.count}{flag}",
        )
