"""``Fieldnote``: the one object that entry points build from ``Settings``.

The CLI, the server and the tests all start here, so every layer reaches the same
home, repository and event store the same way (the datasette pattern: one app object
from a factory, no import-time side effects).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property

from fieldnote.config import Settings
from fieldnote.events import DuckDBEventStore
from fieldnote.home import Home
from fieldnote.repository import Accounts, AuditLog, Projects, Repository, Sessions, Tokens

__all__ = ["Fieldnote"]


class Fieldnote:
    def __init__(self, settings: Settings, *, auto_create: bool = True) -> None:
        self.settings = settings
        self.home = Home.at(settings.home)
        self._auto_create = auto_create

    @cached_property
    def repository(self) -> Repository:
        repo = Repository(self.home.repository_url(self.settings.database_url))
        repo.ensure_ready(auto_create=self._auto_create)
        return repo

    @cached_property
    def projects(self) -> Projects:
        projects = Projects(self.repository)
        projects.ensure_default()
        return projects

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.repository)

    @cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.repository, self.accounts)

    @cached_property
    def sessions(self) -> Sessions:
        return Sessions(
            self.repository, max_age=timedelta(seconds=self.settings.session_max_age_seconds)
        )

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.repository)

    def open_event_store(self, *, read_only: bool = False) -> DuckDBEventStore:
        """Open the DuckDB file. Only one process may hold it for writing at a time."""
        path = self.home.events_path
        if read_only and not path.exists():
            DuckDBEventStore(
                path,
                memory_limit=self.settings.duckdb_memory_limit,
                threads=self.settings.duckdb_threads,
            ).close()
        return DuckDBEventStore(
            path,
            read_only=read_only,
            memory_limit=self.settings.duckdb_memory_limit,
            threads=self.settings.duckdb_threads,
            checkpoint_threshold=self.settings.duckdb_checkpoint_threshold,
        )

    def close(self) -> None:
        if "repository" in self.__dict__:
            self.repository.dispose()
