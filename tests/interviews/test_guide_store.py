"""Versioned guides in the research repository (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fieldnote.interviews.guides import GuideError, draft_guide, new_guide
from fieldnote.repository import GuideStore, Projects, Repository


@pytest.fixture
def store(repository: Repository) -> GuideStore:
    repository.upgrade()
    Projects(repository).create("acme")
    Projects(repository).create("other")
    return GuideStore(repository)


def test_each_save_is_a_new_version(store: GuideStore) -> None:
    v1 = store.save("acme", new_guide("Onboarding"), created_by="ana")
    v2 = store.save("acme", draft_guide("Onboarding", question="q?", step="sign-up"))
    assert (v1.version, v2.version) == (1, 2)
    assert store.get("acme", "Onboarding") == v2
    assert store.get("acme", "Onboarding", 1) == v1
    assert [v.guide.version for v in store.versions("acme", "Onboarding")] == [1, 2]
    assert store.versions("acme", "Onboarding")[0].created_by == "ana"
    store.save("acme", new_guide("Churn", template="churn"))
    assert [(v.guide.name, v.guide.version) for v in store.list("acme")] == [
        ("Churn", 1),
        ("Onboarding", 2),
    ]


def test_projects_and_missing_versions(store: GuideStore) -> None:
    store.save("acme", new_guide("G"))
    assert store.list("other") == []
    with pytest.raises(GuideError, match="has no guide 'G' version 7"):
        store.get("acme", "G", 7)
    with pytest.raises(GuideError, match="project 'other' has no guide 'G'"):
        store.versions("other", "G")
    with pytest.raises(GuideError, match="1 to 100 characters"):
        store.save("acme", replace(new_guide("G"), name=" "))
