"""Full-text search over the research repository, on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldnote.interviews import Interview, Role, Speaker, Utterance
from fieldnote.repository import (
    HypothesisStore,
    InterviewStore,
    Projects,
    Repository,
    ResearchStore,
    SearchError,
    SearchFilters,
    SearchStore,
)
from fieldnote.repository._search_index import fts5_query
from fieldnote.repository._themebook import BookNoteRow, BookThemeRow, ThemeBookRow


def _interview(iid: str, lines: list[str]) -> Interview:
    return Interview(
        id=iid,
        source="test",
        format="text",
        participant="Maria",
        speakers=(
            Speaker(name="Maria", role=Role.PARTICIPANT, reason="t"),
            Speaker(name="Ivo", role=Role.INTERVIEWER, reason="t"),
        ),
        utterances=tuple(
            Utterance(index=i, speaker="Maria", role=Role.PARTICIPANT, text=t, start=10.0 * i)
            for i, t in enumerate(lines)
        ),
    )


@pytest.fixture
def search(repository: Repository) -> SearchStore:
    repository.upgrade()
    Projects(repository).create("acme")
    Projects(repository).create("other")
    interviews = InterviewStore(repository)
    interviews.save_many(
        "acme",
        [
            _interview("a" * 32, ["Hello", "I had to ask IT for admin access to sync", "Bye"]),
            _interview("b" * 32, ["The export to spreadsheets is slow", "mail me at maria@x.org"]),
        ],
    )
    interviews.save_many("other", [_interview("c" * 32, ["admin access is fine here"])])
    q, _ = ResearchStore(repository).open_or_update(
        "acme", anomaly_key=None, text="Why do mobile admins stall at integration?", evidence={}
    )
    HypothesisStore(repository).add("acme", q.id, "Admins lack permission to sync", actor=None)
    acme = Projects(repository).require("acme").id
    with repository.session() as s:
        book = ThemeBookRow(project_id=acme, name="main", created_at=datetime.now(UTC))
        s.add(book)
        s.flush()
        s.add(BookThemeRow(book_id=book.id, theme="t1", label="Waiting for admin approval"))
        s.add(
            BookNoteRow(
                book_id=book.id,
                note="n1",
                text="Maria waits a week for admin approval",
                participant="Maria",
                source="a" * 32,
                tags='["blocker"]',
            )
        )
    store = SearchStore(repository)
    assert store.reindex("acme") == 9  # 5 utterances, theme, note, question, hypothesis
    store.reindex("other")
    return store


def test_finds_every_kind_with_links_and_project_isolation(search: SearchStore) -> None:
    hits = search.search("acme", "admin")
    kinds = {h.kind for h in hits}
    assert kinds == {"utterance", "theme", "note", "question", "hypothesis"}
    utter = next(h for h in hits if h.kind == "utterance")
    assert utter.interview_id == "a" * 32 and utter.start_s == 10.0 and utter.ref.endswith("#1")
    assert "[" in utter.snippet and all(h.interview_id != "c" * 32 for h in hits)
    # stemming: "admins" / "permissions" match the hypothesis
    assert [h.kind for h in search.search("acme", "permissions")] == ["hypothesis"]
    assert search.search("acme", '"admin access"')[0].ref == f"{'a' * 32}#1"
    assert {h.kind for h in search.search("acme", "admin -approval")} == {
        "utterance",
        "question",
        "hypothesis",
    }


def test_results_are_redacted(search: SearchStore) -> None:
    assert search.search("acme", "maria") == []  # the participant's name is masked
    hit = search.search("acme", "mail")[0]
    assert "maria@x.org" not in hit.text and "maria@x.org" not in hit.snippet
    note = search.search("acme", "week")[0]
    assert note.kind == "note" and "Maria" not in note.text


def test_filters(search: SearchStore) -> None:
    f = SearchFilters(kinds=("note",), tag="blocker")
    assert [h.ref for h in search.search("acme", "admin", f)] == ["main:n1"]
    assert search.search("acme", "admin", SearchFilters(tag="nope")) == []
    future = datetime.now(UTC) + timedelta(days=1)
    assert search.search("acme", "admin", SearchFilters(since=future)) == []
    assert search.search("acme", "admin", SearchFilters(until=future))
    assert search.search("acme", "admin", SearchFilters(study=123)) == []
    with pytest.raises(SearchError, match="kind 'memo'"):
        search.search("acme", "admin", SearchFilters(kinds=("memo",)))
    with pytest.raises(SearchError, match="no project"):
        search.search("nope", "admin")


def test_hostile_queries_never_break(search: SearchStore) -> None:
    for q in ['"', "admin*", "NEAR(", "-", "OR", ":", "a:b (c", "''", "   "]:
        search.search("acme", q)


def test_fts5_query_translation() -> None:
    assert fts5_query('sync "admin access" -slow') == '"sync" "admin access" NOT "slow"'
    assert fts5_query("a OR b") == '"a" OR "b"'
    assert fts5_query("-x") == ""  # nothing positive to match
    assert fts5_query("col:umn*") == '"col umn"'
