"""Projects and keys, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from fieldnote.repository import (
    ProjectError,
    Projects,
    Repository,
    RepositoryNotMigratedError,
)


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


def test_an_existing_repository_behind_head_is_refused_until_upgraded(
    repository: Repository,
) -> None:
    assert repository.upgrade("0001") == "0001"
    with pytest.raises(RepositoryNotMigratedError, match=r"revision 0001 .*fieldnote db upgrade"):
        repository.ensure_ready(auto_create=True)  # even with auto_create: it is not fresh
    assert repository.upgrade() == repository.head_revision()
    repository.ensure_ready(auto_create=False)


def test_rotating_the_secret_key_stops_the_old_one(repository: Repository) -> None:
    repository.ensure_ready(auto_create=True)
    projects = Projects(repository)
    old = projects.create("shop")
    new = projects.rotate_secret_key("shop")
    assert new.secret_key != old.secret_key and new.write_key == old.write_key
    assert projects.by_secret_key(old.secret_key) is None
    assert projects.by_secret_key(new.secret_key).name == "shop"  # type: ignore[union-attr]
