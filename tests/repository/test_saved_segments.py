"""Saved segments in the research repository (SQLite and PostgreSQL, from migrations)."""

from __future__ import annotations

import pytest

from fieldnote.repository import Projects, Repository, SavedSegments, SegmentError

DEFINITION = {
    "funnel": {"steps": ["integration_step_viewed where platform=ios", "connect_integration"]},
    "step": 1,
    "dropped": True,
    "last": "7d",
}


def test_segments_are_named_per_project_and_keep_their_definition(
    repository: Repository,
) -> None:
    repository.upgrade()
    projects = Projects(repository)
    projects.create("shop")
    projects.create("blog")
    segments = SavedSegments(repository)
    made = segments.create("shop", "ios stuck", DEFINITION, created_by="cli:ana")
    assert made.definition == DEFINITION and made.created_by == "cli:ana"
    segments.create("blog", "ios stuck", DEFINITION, created_by=None)  # another project
    with pytest.raises(SegmentError, match="already has a segment"):
        segments.create("shop", "ios stuck", {"other": 1}, created_by=None)
    assert segments.get("shop", "ios stuck").definition == DEFINITION
    assert [s.name for s in segments.list("shop")] == ["ios stuck"]
    segments.delete("shop", "ios stuck")
    assert segments.list("shop") == []
    assert [s.name for s in segments.list("blog")] == ["ios stuck"]
    with pytest.raises(SegmentError, match="no segment"):
        segments.get("shop", "ios stuck")
    with pytest.raises(SegmentError, match="no project"):
        segments.create("nowhere", "x", DEFINITION, created_by=None)
    with pytest.raises(SegmentError, match="1 to 100 characters"):
        segments.create("shop", " ", DEFINITION, created_by=None)


def test_a_repository_at_the_accounts_revision_upgrades_to_segments(
    repository: Repository,
) -> None:
    assert repository.upgrade("0002") == "0002"
    assert repository.upgrade("0003_segments") == "0003_segments"
    assert repository.upgrade() == repository.head_revision()
    Projects(repository).create("shop")
    made = SavedSegments(repository).create("shop", "kept", DEFINITION, created_by=None)
    assert SavedSegments(repository).get("shop", "kept").definition == made.definition
