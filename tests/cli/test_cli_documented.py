"""Every CLI command is documented: a command missing from docs/cli.md fails here.

The datasette rule (a test fails if a setting is undocumented), applied to commands:
the command tree is walked as Click builds it, so a command added anywhere shows up.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from fieldnote.cli import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _commands(command: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every visible command by its path, groups included, as Click resolves them."""
    found = {prefix: command} if prefix else {}
    if hasattr(command, "list_commands"):  # a group (Typer may vendor its own click)
        ctx = command.context_class(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                found |= _commands(sub, (*prefix, name))
    return found


def test_every_command_and_subcommand_appears_in_docs_cli_md() -> None:
    text = re.sub(r"\s+", " ", DOC.read_text())
    paths = list(_commands(typer.main.get_command(app)))
    assert len(paths) > 60  # the walk really found the tree (lazy groups loaded)
    missing = [" ".join(p) for p in paths if f"fieldnote {' '.join(p)}" not in text]
    assert missing == [], f"commands not in docs/cli.md: {missing}"


def test_every_command_says_what_it_does_in_its_help() -> None:
    commands = _commands(typer.main.get_command(app))
    silent = [
        " ".join(p) for p, c in commands.items() if not (c.help or c.short_help or "").strip()
    ]
    assert silent == [], f"commands without help text: {silent}"
