"""Releases in the research repository (SQLite and PostgreSQL, from migrations)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldnote.repository import Projects, ReleaseError, ReleaseStore, Repository

AT = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


def _create(store: ReleaseStore, project: str, name: str, at: datetime = AT) -> None:
    store.create(
        project,
        name,
        released_at=at,
        description="one-click Slack connect",
        metric="conversion",
        options={"steps": ["integration_step_viewed", "connect_integration"], "window": "1d"},
        dimensions=("channel", "platform"),
        window="14d",
        created_by="cli:ana",
    )


def test_releases_are_named_per_project_and_keep_their_definition(
    repository: Repository,
) -> None:
    repository.upgrade()
    projects = Projects(repository)
    projects.create("shop")
    projects.create("blog")
    store = ReleaseStore(repository)
    _create(store, "shop", "v2.1")
    _create(store, "shop", "v2.2", datetime(2026, 4, 1, tzinfo=UTC))
    _create(store, "blog", "v2.1")
    got = store.get("shop", "v2.1")
    assert got.released_at == AT and got.dimensions == ("channel", "platform")
    assert got.options["steps"][1] == "connect_integration" and got.window == "14d"
    assert [r.name for r in store.list("shop")] == ["v2.2", "v2.1"]
    assert got.to_dict()["released_at"] == "2026-03-16T09:30:00+00:00"
    with pytest.raises(ReleaseError, match="already has a release"):
        _create(store, "shop", "v2.1")
    with pytest.raises(ReleaseError, match="no release"):
        store.get("blog", "v2.2")
    with pytest.raises(ReleaseError, match="no project"):
        _create(store, "nowhere", "x")
    with pytest.raises(ReleaseError, match="1 to 100 characters"):
        _create(store, "shop", "  ")
    with pytest.raises(ReleaseError, match="time zone"):
        _create(store, "shop", "naive", datetime(2026, 3, 16))
    assert len(store.list("shop")) == 2  # nothing half-written by the refusals
