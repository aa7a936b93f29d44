"""``fieldnote guides``: interview guides and the question linter.

Guides are stored, versioned, in the research repository: ``new`` (from a template),
``draft`` (from a research question and the step it is about) and ``save`` (an edited
JSON export) each store a new version; ``show`` / ``export`` print one as JSON or
Markdown with its time budgets and linter findings.

``guides lint`` reads one question per line from a file or stdin and reports each
problem with its explanation and a neutral rewrite; the exit status is 0 either way
(findings are advice, not errors) unless the input cannot be read.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.interviews.guides import (
    EXPORT_FORMATS,
    LIBRARY,
    TEMPLATES,
    Guide,
    GuideError,
    draft_guide,
    new_guide,
    to_markdown,
)
from fieldnote.interviews.linting import LintedQuestion, lint_questions
from fieldnote.repository import DEFAULT_PROJECT, GuideStore

__all__ = ["app"]

app = typer.Typer(help="Interview guides and the question linter.", no_args_is_help=True)


def _read_lines(source: str, *, as_json: bool) -> list[str]:
    if source == "-":
        return sys.stdin.read().splitlines()
    path = Path(source)
    if not path.is_file():
        fail(f"{source}: no such file", as_json=as_json)
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        fail(f"{source}: not UTF-8 text (byte {exc.start}); save it as UTF-8", as_json=as_json)
    except OSError as exc:
        fail(f"{source}: cannot read ({exc.strerror})", as_json=as_json)


def _text(results: list[LintedQuestion]) -> str:
    out: list[str] = []
    for r in results:
        mark = "[green]ok[/]" if r.clean else f"[yellow]{len(r.issues)} issue(s)[/]"
        out.append(f"{mark}  {escape(r.text)}")
        for issue in r.issues:
            out.append(f"    [bold]{issue.kind.value}[/]: {escape(issue.message)}")
            out.append(f"      try: {escape(issue.rewrite)}")
    flagged = sum(not r.clean for r in results)
    out.append(f"\n{len(results)} question(s), {flagged} with issues")
    return "\n".join(out)


@app.command("lint")
def lint(
    source: Annotated[
        str, typer.Argument(help="A file with one question per line, or - for stdin.")
    ],
    concept: Annotated[
        bool,
        typer.Option(
            "--concept", help="Questions from a concept test's solution section (pitching allowed)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Flag leading, closed, hypothetical, why, double-barrelled, jargon and
    solution-pitching questions, with a neutral rewrite for each."""
    results = lint_questions(_read_lines(source, as_json=as_json), solutions_allowed=concept)
    emit({"questions": [r.to_dict() for r in results]}, as_json=as_json, text=_text(results))


ProjectOpt = Annotated[str, typer.Option("--project", help="Project name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
MinutesOpt = Annotated[int, typer.Option("--minutes", help="Planned length in minutes.")]
TemplateOpt = Annotated[str, typer.Option("--template", help=f"One of: {', '.join(TEMPLATES)}.")]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _store(ctx: typer.Context) -> GuideStore:
    fieldnote = get_state(ctx).fieldnote
    _ = fieldnote.projects  # a new home gets its default project
    return GuideStore(fieldnote.repository)


def _findings(guide: Guide) -> list[dict[str, Any]]:
    return [
        {"section": section.key, **linted.to_dict()}
        for section, linted in guide.lint()
        if not linted.clean
    ]


def _guide_out(guide: Guide) -> dict[str, Any]:
    return {**guide.to_dict(), "lint": _findings(guide)}


def _saved(ctx: typer.Context, project: str, guide: Guide, as_json: bool) -> None:
    with refusing(GuideError, as_json=as_json):
        saved = _store(ctx).save(project, guide, created_by=_actor())
    findings = _findings(saved)
    text = f"saved {saved.name!r} version {saved.version}" + (
        f"; the linter flags {len(findings)} question(s): see `fieldnote guides show`"
        if findings
        else ""
    )
    emit(_guide_out(saved), as_json=as_json, text=text)


@app.command("templates")
def templates(as_json: JsonOpt = False) -> None:
    """The guide templates and their sections' shares of the planned length."""
    sections = {name: new_guide(name, template=name).sections for name in TEMPLATES}
    data = {
        name: [{"key": s.key, "title": s.title, "share": s.share} for s in secs]
        for name, secs in sections.items()
    }
    text = "\n".join(
        f"{name}: " + ", ".join(f"{s.title} {s.share * 100:g}%" for s in secs)
        for name, secs in sections.items()
    )
    emit({"templates": data}, as_json=as_json, text=text)


@app.command("library")
def library(as_json: JsonOpt = False) -> None:
    """The reusable question library."""
    rows = [
        {"id": q.id, "section": q.section, "text": q.text, "probes": list(q.probes)}
        for q in LIBRARY
    ]
    emit(
        {"questions": rows},
        as_json=as_json,
        text="\n".join(f"{q.id:20} {escape(q.text)}" for q in LIBRARY),
    )


@app.command("new")
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Guide name (unique in the project).")],
    template: TemplateOpt = "discovery",
    minutes: MinutesOpt = 30,
    goal: Annotated[str, typer.Option("--goal", help="What the study wants to learn.")] = "",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Start a guide from a template (stored as the next version of NAME)."""
    with refusing(GuideError, ValueError, as_json=as_json):
        guide = new_guide(name, template=template, minutes=minutes, goal=goal)
    _saved(ctx, project, guide, as_json)


@app.command("draft")
def draft(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Guide name (unique in the project).")],
    question: Annotated[str, typer.Option("--question", help="The research question.")],
    step: Annotated[
        str, typer.Option("--step", help="The step it is about (words or an event name).")
    ],
    segment: Annotated[
        str, typer.Option("--segment", help="Who, e.g. 'dropped at step 3 on mobile'.")
    ] = "",
    template: TemplateOpt = "discovery",
    minutes: MinutesOpt = 30,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Draft a study's guide from its Question and Segment."""
    with refusing(GuideError, ValueError, as_json=as_json):
        guide = draft_guide(
            name, question=question, step=step, segment=segment, template=template, minutes=minutes
        )
    _saved(ctx, project, guide, as_json)


@app.command("save")
def save(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A guide as JSON (e.g. an edited `show --json`).")],
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Store an edited guide as the next version of its name."""
    try:
        guide = Guide.from_dict(json.loads(file.read_text(encoding="utf-8")))
    except OSError as exc:
        fail(f"{file}: cannot read ({exc.strerror})", as_json=as_json)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{file}: not valid JSON ({exc})", as_json=as_json)
    except GuideError as exc:
        fail(f"{file}: {exc}", as_json=as_json)
    _saved(ctx, project, guide, as_json)


@app.command("list")
def list_(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The latest version of every guide."""
    with refusing(GuideError, as_json=as_json):
        rows = _store(ctx).list(project)
    emit(
        {"guides": [r.to_dict() for r in rows]},
        as_json=as_json,
        text="\n".join(
            f"{escape(r.guide.name)}  v{r.guide.version}  {r.guide.template}" for r in rows
        )
        or "no guides",
    )


@app.command("versions")
def versions(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Guide name.")],
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Every stored version of a guide."""
    with refusing(GuideError, as_json=as_json):
        rows = _store(ctx).versions(project, name)
    emit(
        {"versions": [r.to_dict() for r in rows]},
        as_json=as_json,
        text="\n".join(
            f"v{r.guide.version}  {r.created_at:%Y-%m-%d %H:%M}  {r.created_by}" for r in rows
        ),
    )


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Guide name.")],
    version: Annotated[int | None, typer.Option("--version", help="Default: the latest.")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """A guide with its time budgets and linter findings (JSON) or as Markdown."""
    with refusing(GuideError, as_json=as_json):
        guide = _store(ctx).get(project, name, version)
    emit(_guide_out(guide), as_json=as_json, text=escape(to_markdown(guide)))


@app.command("export")
def export(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Guide name.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    version: Annotated[int | None, typer.Option("--version", help="Default: the latest.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"One of: {', '.join(EXPORT_FORMATS)}.")
    ] = "markdown",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Write a guide as Markdown or PDF."""
    if fmt not in EXPORT_FORMATS:
        fail(f"--format {fmt!r}: expected one of {', '.join(EXPORT_FORMATS)}", as_json=as_json)
    try:
        guide = _store(ctx).get(project, name, version)
        output.write_bytes(EXPORT_FORMATS[fmt](guide))
    except GuideError as exc:
        fail(str(exc), as_json=as_json)
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror})", as_json=as_json)
    emit(
        {"path": str(output), "name": guide.name, "version": guide.version, "format": fmt},
        as_json=as_json,
        text=f"wrote {output} ({guide.name} v{guide.version})",
    )
