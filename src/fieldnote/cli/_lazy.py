"""Lazy registration of the top-level commands: a command imports only its own module.

Every ``fieldnote ...`` process used to import every command module, and with them
DuckDB, pandas, SQLAlchemy, httpx, the monitors and the research code: about 2.5 s of
CPU before the command ran, paid by every CLI call (and by every test that spawns one).
The root group now knows only the names below; a name's module is imported, and its
Typer sub-app or ``register(app)`` run, the first time Click asks for that command.
``fieldnote --help`` lists every command, so it still imports them all.

``COMMANDS`` is the registry (name → ``Registration``), in the order the help lists
them (Typer's own order: plain commands first, then groups). A registration that adds
a name it does not declare is an error, so the registry cannot silently miss one
(tests/cli/test_lazy_cli.py loads them all).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import typer
from typer.core import TyperGroup

__all__ = ["COMMANDS", "LazyGroup", "Registration", "load"]

# Typer's click ``Command`` (vendored from Typer 0.26 on, click's before): left as Any.
Command = Any


@dataclass(frozen=True, eq=False)  # hashed by identity: ``load`` caches per registration
class Registration:
    """How one or more top-level commands are added to the root app.

    ``apps`` maps a command name to the Typer sub-app (``module:attribute``, module
    relative to ``fieldnote.cli``) added under that name; then each module in
    ``registers`` runs its ``register(app)``, which adds plain commands (or, for
    ``_panel``, extends a group added just before). ``extends`` are modules that add
    commands to those sub-apps when imported (``_panel`` adds to ``participants``).
    """

    names: tuple[str, ...]
    apps: Mapping[str, str] = field(default_factory=dict)
    registers: tuple[str, ...] = ()
    extends: tuple[str, ...] = ()

    def apply(self, app: typer.Typer) -> None:
        for module in self.extends:
            _module(module)
        for name, target in self.apps.items():
            module, attribute = target.split(":")
            app.add_typer(getattr(_module(module), attribute), name=name)
        for module in self.registers:
            _module(module).register(app)


def _module(name: str) -> Any:
    return importlib.import_module(f"fieldnote.cli.{name}")


def _app(name: str, target: str) -> Registration:
    return Registration((name,), apps={name: target})


def _registered(module: str, *names: str) -> Registration:
    return Registration(names, registers=(module,))


_ACCOUNTS = Registration(
    ("audit", "users", "tokens"),
    apps={"users": "_accounts:users_app", "tokens": "_accounts:tokens_app"},
    registers=("_accounts",),
)
_ANALYTICS = _registered("_analytics", "funnel", "retention", "explain", "trend", "segments")
_EXPORT = _registered("_export", "export", "compact")
_MONITORS = Registration(
    ("monitors", "questions"),
    apps={"monitors": "_monitors:monitors_app", "questions": "_monitors:questions_app"},
)
_OPPORTUNITIES = Registration(
    ("opportunities", "jobs"),
    apps={"opportunities": "_opportunities:opportunities_app", "jobs": "_opportunities:jobs_app"},
)
_PARTICIPANTS = Registration(
    ("intercepts", "participants"),
    apps={
        "intercepts": "_participants:intercepts_app",
        "participants": "_participants:participants_app",
    },
    extends=("_panel",),
)
# ``_panel.register`` adds its ``studies`` commands to the delivery ``studies`` group.
_DELIVERY = Registration(
    ("studies", "invitations", "personas", "incentives"),
    apps={"studies": "_delivery:studies_app", "invitations": "_delivery:invitations_app"},
    registers=("_panel",),
)

COMMANDS: dict[str, Registration] = {
    "serve": _registered("_serve", "serve"),
    "audit": _ACCOUNTS,
    "export": _EXPORT,
    "compact": _EXPORT,
    "import": _registered("_import", "import"),
    "demo": _registered("_demo", "demo"),
    "digest": _registered("_digest", "digest"),
    "funnel": _ANALYTICS,
    "retention": _ANALYTICS,
    "explain": _ANALYTICS,
    "themes": _registered("_themes", "themes"),
    "synthesize": _registered("_synthesize", "synthesize"),
    "detect": _registered("_detect", "detect"),
    "search": _registered("_search", "search"),
    "projects": _app("projects", "_projects:app"),
    "events": _app("events", "_events:app"),
    "db": _app("db", "_db:app"),
    "users": _ACCOUNTS,
    "tokens": _ACCOUNTS,
    "trend": _ANALYTICS,
    "segments": _ANALYTICS,
    "book": _app("book", "_book:app"),
    "monitors": _MONITORS,
    "questions": _MONITORS,
    "guides": _app("guides", "_guides:app"),
    "releases": _app("releases", "_releases:app"),
    "hypotheses": _app("hypotheses", "_hypotheses:app"),
    "evidence": _app("evidence", "_evidence:app"),
    "opportunities": _OPPORTUNITIES,
    "jobs": _OPPORTUNITIES,
    "transcripts": _app("transcripts", "_transcripts:app"),
    "diaries": _app("diaries", "_diaries:app"),
    "intercepts": _PARTICIPANTS,
    "participants": _PARTICIPANTS,
    "studies": _DELIVERY,
    "invitations": _DELIVERY,
    "personas": _DELIVERY,
    "incentives": _DELIVERY,
}


@cache
def load(registration: Registration) -> dict[str, Command]:
    """The Click commands of one registration, built as Typer builds them for the root.

    Once per process: ``_panel.register`` extends the delivery ``studies`` sub-app."""
    holder = typer.Typer()
    registration.apply(holder)
    commands = dict(typer.main.get_group(holder).commands)
    if set(commands) != set(registration.names):
        raise RuntimeError(
            f"registration {registration.names} added {sorted(commands)}: update COMMANDS"
        )
    return commands


class _LazyCommands(MutableMapping[str, Command]):
    """The root group's commands: names known up front, each loaded on first use."""

    def __init__(self, eager: Mapping[str, Command]) -> None:
        self._loaded: dict[str, Command] = dict(eager)

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            registration = COMMANDS[name]  # KeyError: no such command
            for loaded_name, command in load(registration).items():
                self._loaded.setdefault(loaded_name, command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        # A snapshot in the registry's order: iterating loads commands (``items()``).
        return iter([*COMMANDS, *(name for name in self._loaded if name not in COMMANDS)])

    def __len__(self) -> int:
        return len(self._loaded.keys() | COMMANDS.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in COMMANDS


class LazyGroup(TyperGroup):
    """The root ``fieldnote`` group: ``typer.Typer(cls=LazyGroup)``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands(self.commands)
