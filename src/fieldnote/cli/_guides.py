"""``fieldnote guides``: interview guides and the question linter.

``guides lint`` reads one question per line from a file or stdin and reports each
problem with its explanation and a neutral rewrite; the exit status is 0 either way
(findings are advice, not errors) unless the input cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fieldnote.cli._context import emit, fail
from fieldnote.interviews.linting import LintedQuestion, lint_questions

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
