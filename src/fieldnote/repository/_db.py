"""The ``Repository``: owns the SQLAlchemy engine and the schema's migration state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Repository", "RepositoryNotMigratedError"]


class RepositoryNotMigratedError(RuntimeError):
    """The database exists but its schema is behind the code: run ``fieldnote db upgrade``."""


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Repository:
    """A research repository at a SQLAlchemy URL (SQLite file or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(files("fieldnote.repository") / "migrations"))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def is_fresh(self) -> bool:
        """True when the database holds no fieldnote tables at all."""
        return self.current_revision() is None

    def upgrade(self, revision: str = "head") -> str | None:
        """Apply pending migrations up to ``revision``; return the revision now in force.

        Tests pass an older revision to build a database that is behind the code.
        """
        cfg = self._alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        return self.current_revision()

    def ensure_ready(self, *, auto_create: bool) -> None:
        """Create a fresh database (zero config), refuse an existing unmigrated one.

        An existing database behind the code's head is never migrated implicitly: a
        migration may be slow or irreversible, so a person runs it on purpose.
        """
        current = self.current_revision()
        head = self.head_revision()
        if current == head:
            return
        if current is None and auto_create:
            self.upgrade()
            return
        raise RepositoryNotMigratedError(
            f"the research repository at {self._display_url()} is at revision "
            f"{current or 'none'} but this fieldnote needs {head}: run `fieldnote db upgrade`"
        )

    def _display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    @staticmethod
    def sqlite_url(path: Path) -> str:
        return f"sqlite:///{path}"
