"""Shared CLI plumbing: settings from the global options, output as text or JSON."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository import ProjectError

__all__ = ["CliState", "emit", "fail", "get_state", "refusing", "require_project"]

err_console = Console(stderr=True)
out_console = Console()


class CliState:
    def __init__(self, home: Path | None) -> None:
        overrides: dict[str, Any] = {}
        if home is not None:
            overrides["home"] = home
        self.settings = Settings(**overrides)
        self._fieldnote: Fieldnote | None = None

    @property
    def fieldnote(self) -> Fieldnote:
        if self._fieldnote is None:
            self._fieldnote = Fieldnote(self.settings)
        return self._fieldnote


def get_state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    st = root.obj
    if not isinstance(st, CliState):
        st = CliState(None)
        root.obj = st
    return st


def emit(data: Any, *, as_json: bool, text: str | None = None) -> None:
    """Print ``data`` as JSON (``--json``) or the human ``text``."""
    if as_json:
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        sys.stdout.flush()
    else:
        out_console.print(text if text is not None else data)


def fail(message: str, *, as_json: bool = False, code: int = 1) -> NoReturn:
    """Exit with a clear message on stderr (and a JSON error object with ``--json``)."""
    if as_json:
        sys.stdout.write(orjson.dumps({"error": message}).decode() + "\n")
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def refusing(*errors: type[Exception], as_json: bool) -> Iterator[None]:
    """Inside the block, the domain's refusals (``errors``) end the command with
    ``fail``: their message on stderr (a JSON error with ``--json``), exit code 1."""
    try:
        yield
    except errors as exc:
        fail(str(exc), as_json=as_json)


def require_project(ctx: typer.Context, project: str, *, as_json: bool) -> Fieldnote:
    """This home's ``Fieldnote``, once ``project`` is known to exist (else ``fail``)."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        fn.projects.require(project)
    return fn
