"""``search_filters``: the one place filters are built from typed text, and the funnel
step and segment (participants) filters, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fieldnote.repository import Repository, SearchError, SearchStore
from fieldnote.repository._search import search_filters
from fieldnote.repository._themebook import BookNoteRow, ThemeBookRow
from tests.repository.test_search_store import search

__all__ = ["search"]


def test_typed_values_become_filters_and_blanks_mean_no_filter() -> None:
    f = search_filters(kinds=["note", ""], study="3", tag=" ", since="2026-03-01",
                       until="2026-03-31", limit="50")  # fmt: skip
    assert f.kinds == ("note",) and f.study == 3 and f.tag is None
    assert f.since == datetime(2026, 3, 1, tzinfo=UTC)
    assert f.until == datetime(2026, 4, 1, tzinfo=UTC)  # until is inclusive of its day
    assert f.limit == 50 and f.participants is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"study": "three"}, "study: 'three' is not a whole number"),
        ({"since": "yesterday"}, "since: 'yesterday' is not a date"),
        ({"until": "2026-13-01"}, "until: '2026-13-01' is not a date"),
        ({"limit": "0"}, "limit must be 1 to 200"),
        ({"kinds": ["memo"]}, "kind 'memo' is not one of"),
        ({"step": "a|b"}, "a step cannot contain '|'"),
    ],
)
def test_bad_values_name_their_field(typed: dict[str, object], message: str) -> None:
    with pytest.raises(SearchError, match=message):
        search_filters(**typed)  # type: ignore[arg-type]


def test_step_and_participant_filters(search: SearchStore, repository: Repository) -> None:
    from fieldnote.repository import Projects

    acme = Projects(repository).require("acme").id
    with repository.session() as s:
        book = ThemeBookRow(project_id=acme, name="coded", created_at=datetime.now(UTC))
        s.add(book)
        s.flush()
        s.add(
            BookNoteRow(
                book_id=book.id, note="k1", text="Connecting the admin integration failed",
                participant="Lena", source="x", tags=json.dumps(["step:connect_integration"]),
            )
        )  # fmt: skip
    search.reindex("acme")
    assert search.participants("acme") == {"Maria", "Lena"}
    by_step = search.search("acme", "admin", search_filters(step="connect_integration"))
    assert [h.ref for h in by_step] == ["coded:k1"]
    lena = search.search("acme", "admin", search_filters(participants=frozenset({"Lena"})))
    assert [h.ref for h in lena] == ["coded:k1"]
    maria = search.search("acme", "admin", search_filters(participants=frozenset({"Maria"})))
    assert maria and all(h.ref != "coded:k1" for h in maria)
    assert search.search("acme", "admin", search_filters(participants=frozenset())) == []
