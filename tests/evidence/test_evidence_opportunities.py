"""Opportunities (stored, linked, scored by RICE), job stories and release validation
studies, on SQLite and PostgreSQL with events in DuckDB."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldnote.analytics.segments import SegmentDefinition
from fieldnote.evidence._stored import (
    book_contents,
    journey_for_book,
    personas_for_book,
    propose_validation,
    reach_for_theme,
    score_stored,
)
from fieldnote.repository import (
    Projects,
    ReleaseStore,
    Repository,
    ResearchStore,
    SavedSegments,
)
from fieldnote.repository._job_stories import JobStoryError, JobStoryStore
from fieldnote.repository._opportunities import OpportunityError, OpportunityStore
from tests.evidence._artifacts_seed import RANGE, STEPS, seed_book, source
from tests.evidence.test_evidence_journey import FUNNEL


@pytest.fixture
def repo(repository: Repository) -> Repository:
    repository.upgrade()
    Projects(repository).create("acme")
    seed_book(repository)
    SavedSegments(repository).create(
        "acme",
        "stuck at integration",
        SegmentDefinition(funnel=FUNNEL, step=2, dropped=True).to_dict(),
        created_by=None,
    )
    return repository


def test_opportunity_links_are_checked_and_nothing_is_half_written(repo: Repository) -> None:
    store = OpportunityStore(repo)
    with pytest.raises(OpportunityError, match="has no theme 't9'"):
        store.create("acme", "fix admin", effort=2, book="main", theme="t9")
    with pytest.raises(OpportunityError, match="give both book and theme"):
        store.create("acme", "fix admin", effort=2, book="main")
    with pytest.raises(OpportunityError, match="no saved segment 'nope'"):
        store.create("acme", "fix admin", effort=2, book="main", theme="t1", segment="nope")
    with pytest.raises(OpportunityError, match="no question 42"):
        store.create("acme", "fix admin", effort=2, question_id=42)
    with pytest.raises(OpportunityError, match="positive number of person-months"):
        store.create("acme", "fix admin", effort=0)
    assert store.list("acme") == []
    store.create(
        "acme", "fix admin", effort=2, book="main", theme="t1", segment="stuck at integration"
    )
    with pytest.raises(OpportunityError, match="already has an opportunity"):
        store.create("acme", "fix admin", effort=1)


def test_scoring_traces_every_component_and_ranks(repo: Repository) -> None:
    store = OpportunityStore(repo)
    store.create(
        "acme",
        "fix admin",
        effort=2,
        book="main",
        theme="t1",
        segment="stuck at integration",
        validation={
            "metric": "conversion",
            "event": "connect_integration",
            "from": "2026-03-02",
            "to": "2026-03-29",
        },
        created_by="ana@example.org",
    )
    store.create(
        "acme",
        "polish dashboard",
        effort=4,
        book="main",
        theme="t2",
        segment="stuck at integration",
    )
    store.create("acme", "unscored", effort=1)
    src = source()
    scored = score_stored(src, repo, "acme", "fix admin")
    c = scored.components
    # Reach: 30 people stuck in 28 days → per quarter
    assert c["reach"] == pytest.approx(30 * 91.25 / 28)
    assert "segment 'stuck at integration': 30 persons in 28 days" in c["reach_source"]
    # Impact: 5 of 6 participants cite t1 (p1-p4, p6) x mean intensity x 3
    assert "5 of 6 participants" in c["impact_source"]
    # Confidence: 5 cite it (≥5) and behaviour confirms (n=4 vs 2? too small → no)
    assert "5 participants cite it" in c["confidence_source"]
    assert "conversion to connect_integration" in c["confidence_source"]
    assert c["effort"] == 2 and c["effort_source"] == "entered by ana@example.org"
    assert scored.score == pytest.approx(c["reach"] * c["impact"] * c["confidence"] / 2)
    score_stored(src, repo, "acme", "polish dashboard")
    ranked = [r.name for r in store.list("acme")]
    assert ranked == ["fix admin", "polish dashboard", "unscored"]
    with pytest.raises(OpportunityError, match="has no theme"):
        score_stored(src, repo, "acme", "unscored")


def test_job_stories_crud_with_checked_evidence(repo: Repository) -> None:
    stories = JobStoryStore(repo)
    made = stories.create(
        "acme",
        situation="I set up the integration on my phone",
        motivation="connect it without waiting for an admin",
        outcome="start syncing today.",
        evidence=["theme:main:t1", "note:main:n1"],
    )
    assert made.text == (
        "When I set up the integration on my phone, I want to connect it without waiting "
        "for an admin, so I can start syncing today."
    )
    with pytest.raises(JobStoryError, match="has no note 'n99'"):
        stories.update("acme", made.id, evidence=["note:main:n99"])
    with pytest.raises(JobStoryError, match="write note:BOOK:NOTE"):
        stories.create("acme", situation="a", motivation="b", outcome="c", evidence=["n1"])
    with pytest.raises(JobStoryError, match="situation"):
        stories.create("acme", situation=" ", motivation="b", outcome="c", evidence=[])
    assert [str(e) for e in stories.get("acme", made.id).evidence] == [
        "theme:main:t1",
        "note:main:n1",
    ]
    stories.update("acme", made.id, outcome="sync today")
    assert stories.list("acme")[0].outcome == "sync today"
    stories.delete("acme", made.id)
    assert stories.list("acme") == []


def test_release_proposes_a_validation_study(repo: Repository) -> None:
    ReleaseStore(repo).create(
        "acme",
        "2.5",
        released_at=datetime(2026, 3, 10, tzinfo=UTC),
        description="admins no longer needed",
        metric="conversion",
        options={"steps": list(STEPS[1:]), "window": "1d"},
        dimensions=("$os",),
        window="14d",
        created_by=None,
    )
    first = propose_validation(repo, "acme", "2.5")
    again = propose_validation(repo, "acme", "2.5")
    assert again.question.id == first.question.id and again.study.id == first.study.id
    plan = first.study.plan
    assert plan["segments"][0]["name"] == "release 2.5: exposed"
    assert plan["segments"][0]["definition"]["funnel"]["steps"] == list(STEPS[1:])
    assert plan["segments"][0]["definition"]["funnel"]["dates"]["from"].startswith("2026-03-10")
    assert "Validate release 2.5" in first.question.text
    assert SavedSegments(repo).get("acme", "release 2.5: exposed") is not None
    assert len(ResearchStore(repo).list("acme")) == 1


def test_journey_personas_and_reach_from_the_stored_book(repo: Repository) -> None:
    src = source()
    contents = book_contents(repo, "acme", "main")
    journey = journey_for_book(src, contents, FUNNEL)
    assert [s.notes for s in journey.steps] == [1, 4, 2]
    personas = personas_for_book(src, contents, "$os", ["plan"], RANGE)
    assert personas[0].value == "ios"
    reach = reach_for_theme(src, repo, "acme", "main", "t1", RANGE, steps=STEPS)
    assert reach.size == 30
    chosen = reach_for_theme(src, repo, "acme", "main", "t1", RANGE, segment="stuck at integration")
    assert chosen.size == 30 and chosen.basis == "segment chosen by the team"
    with pytest.raises(ValueError, match="no theme 'zz'"):
        reach_for_theme(src, repo, "acme", "main", "zz", RANGE, steps=STEPS)
