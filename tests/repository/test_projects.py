"""Projects and keys, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fieldnote.repository import (
    ProjectError,
    Projects,
    Repository,
    RepositoryNotMigratedError,
)

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    if request.param == "sqlite":
        repo = Repository(f"sqlite:///{tmp_path / 'repo.sqlite'}")
        yield repo
        repo.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    repo = Repository(f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}")
    try:
        yield repo
    finally:
        repo.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_fresh_repository_is_created_on_first_use(repository: Repository) -> None:
    assert repository.current_revision() is None
    repository.ensure_ready(auto_create=True)
    assert repository.current_revision() == repository.head_revision()


def test_unmigrated_repository_is_refused_with_the_command_to_run(repository: Repository) -> None:
    with pytest.raises(RepositoryNotMigratedError, match="fieldnote db upgrade"):
        repository.ensure_ready(auto_create=False)


def test_create_project_returns_keys_once_and_stores_only_a_digest(repository: Repository) -> None:
    repository.ensure_ready(auto_create=True)
    projects = Projects(repository)
    creds = projects.create("shop")
    assert creds.write_key.startswith("fnw_") and creds.secret_key.startswith("fns_")
    assert projects.by_write_key(creds.write_key).name == "shop"  # type: ignore[union-attr]
    assert projects.by_secret_key(creds.secret_key).name == "shop"  # type: ignore[union-attr]
    assert projects.by_secret_key(creds.write_key) is None  # the write key cannot read
    with repository.engine.connect() as conn:
        stored = conn.execute(text("SELECT secret_key_hash FROM projects")).scalar_one()
    assert creds.secret_key not in stored


@pytest.mark.parametrize("bad", ["", "Shop", "has space", "-lead", "x" * 64, "a/b", "é"])
def test_invalid_project_names_are_refused(repository: Repository, bad: str) -> None:
    repository.ensure_ready(auto_create=True)
    with pytest.raises(ProjectError, match="invalid"):
        Projects(repository).create(bad)


def test_duplicate_project_is_refused_and_the_first_survives(repository: Repository) -> None:
    repository.ensure_ready(auto_create=True)
    projects = Projects(repository)
    first = projects.create("shop")
    with pytest.raises(ProjectError, match="already exists"):
        projects.create("shop")
    assert projects.by_write_key(first.write_key) is not None
    assert [p.name for p in projects.list()] == ["shop"]


def test_default_project_is_created_once(repository: Repository) -> None:
    repository.ensure_ready(auto_create=True)
    projects = Projects(repository)
    assert projects.ensure_default() is not None
    assert projects.ensure_default() is None
    assert [p.name for p in projects.list()] == ["default"]
