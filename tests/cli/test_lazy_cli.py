"""Lazy command registration (fieldnote/cli/_lazy.py): a command imports only its own
module, and the registry stays complete and correct.

- ``fieldnote --help`` lists every registered command with its help line;
- a command run in a fresh process leaves the other command modules unimported;
- each registration gives the same command tree whether it loads before or after the
  others (a module that adds commands to another module's sub-app must be listed in
  ``extends``, else a registration loaded before it misses them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli

# Runs in a fresh interpreter: loads the registrations in the given order and prints
# each command's tree (its subcommands' names, recursively).
_SNAPSHOT = """
import json, sys
from fieldnote.cli._lazy import COMMANDS, load

def tree(command):
    subs = getattr(command, "commands", None)
    return sorted((name, tree(sub)) for name, sub in (subs or {}).items())

order = list({id(r): r for r in COMMANDS.values()}.values())
if sys.argv[1] == "reverse":
    order.reverse()
print(json.dumps({name: tree(c) for r in order for name, c in load(r).items()}))
"""


def _trees(order: str) -> dict[str, list[object]]:
    proc = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT, order], capture_output=True, text=True, check=True
    )
    result: dict[str, list[object]] = json.loads(proc.stdout)
    return result


def test_every_registration_loads_the_same_commands_in_any_order() -> None:
    from fieldnote.cli._lazy import COMMANDS

    forward, reverse = _trees("forward"), _trees("reverse")
    assert set(forward) == set(COMMANDS)
    assert forward == reverse
    participants = [sub[0] for sub in forward["participants"]]  # type: ignore[index]
    assert {"consent", "import", "erase"} <= set(participants)  # _participants + _panel


def test_help_lists_every_command_with_its_help(tmp_path: Path) -> None:
    from fieldnote.cli._lazy import COMMANDS

    out = run_cli(tmp_path / "home", "--help", env={"COLUMNS": "200"}).stdout
    rows = [line[2:] for line in out.splitlines() if line.startswith("│ ")]
    listed = [row.split()[0] for row in rows if row[:1] not in (" ", "-")]
    assert listed == list(COMMANDS)
    assert "Read events back." in out  # a group's help (fieldnote events)
    assert "Run the server." in out  # a plain command's help (fieldnote serve)
    assert "Research participants: consent." in out


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from fieldnote.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "mods = sorted(m for m in sys.modules if m.startswith('fieldnote.cli.'))\n"
        "print('MODULES', ' '.join(mods + [m for m in ('fieldnote.web', 'httpx', 'pandas')"
        " if m in sys.modules]))\n"
    )
    home = tmp_path / "home"
    proc = subprocess.run(
        [sys.executable, "-c", probe, "--home", str(home), "events", "count", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout.split("MODULES")[0]) == {"count": 0}
    loaded = set(proc.stdout.split("MODULES")[1].split())
    assert loaded == {
        "fieldnote.cli._context",
        "fieldnote.cli._events",
        "fieldnote.cli._lazy",
        "fieldnote.cli._server_client",
    }
