"""Full-text search backends, one per SQL dialect, behind one ``SearchIndex`` interface.

SQLite answers with FTS5 (an external-content table over ``search_documents``, BM25
rank); PostgreSQL with ``websearch_to_tsquery`` against a stored, GIN-indexed
English tsvector column (``ts_rank``). Both take the same query language — words (all must match),
``"quoted phrases"``, ``-excluded`` words, ``OR`` — and the same filters, and return
scores where higher is better, so callers never branch on the dialect.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["SEARCH_INDEXES", "Fts5Index", "PostgresIndex", "SearchIndex", "fts5_query"]

_COLUMNS = "d.id, d.kind, d.ref, d.interview_id, d.start_s, d.study_id, d.tags, d.at, d.body"


class SearchIndex(Protocol):
    def refresh(self, session: Session) -> None:
        """Bring the index in line after documents were rewritten."""

    def sql(self, where: str) -> str:
        """The query: bound ``:q``, ``:pid``, ``:limit`` plus the filters in ``where``;
        selects the document columns, ``score`` (higher is better) and ``snippet``."""

    def prepare(self, query: str) -> str:
        """The user's query in this backend's syntax (never a syntax error)."""


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


def fts5_query(query: str) -> str:
    """Words and phrases as FTS5 string literals (so ``:``, ``*`` or ``(`` in the input
    cannot break the syntax); ``-word`` becomes ``NOT``; ``OR`` stays an operator."""
    positive: list[str] = []
    negative: list[str] = []
    for m in _TOKEN.finditer(query):
        neg, phrase, word = m.group(1), m.group(2), m.group(3)
        if word is not None and word == "OR" and positive:
            positive.append("OR")
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            neg, word = "-", word[1:]
        raw = phrase if phrase is not None else word
        cleaned = " ".join(re.findall(r"\w+", raw or ""))
        if not cleaned:
            continue
        (negative if neg else positive).append('"' + cleaned + '"')
    while positive and positive[-1] == "OR":
        positive.pop()
    if not positive:
        return ""
    out = " ".join(positive)
    return out + "".join(f" NOT {n}" for n in negative)


class Fts5Index:
    def refresh(self, session: Session) -> None:
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES('rebuild')"))

    def prepare(self, query: str) -> str:
        return fts5_query(query)

    def sql(self, where: str) -> str:
        return (
            f"SELECT {_COLUMNS}, -bm25(search_fts) AS score, "
            "snippet(search_fts, 0, '[', ']', '…', 16) AS snippet "
            "FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q AND d.project_id = :pid {where} "
            "ORDER BY score DESC, d.id LIMIT :limit"
        )


class PostgresIndex:
    def refresh(self, session: Session) -> None:
        return None  # the GIN expression index follows the table

    def prepare(self, query: str) -> str:
        return query

    def sql(self, where: str) -> str:
        inner = (
            f"SELECT {_COLUMNS}, ts_rank(d.tsv, tq) AS score, tq "
            "FROM search_documents d, websearch_to_tsquery('english', :q) tq "
            f"WHERE d.tsv @@ tq AND d.project_id = :pid {where} "
            "ORDER BY score DESC, d.id LIMIT :limit"
        )
        return (
            "SELECT id, kind, ref, interview_id, start_s, study_id, tags, at, body, score, "
            "ts_headline('english', body, tq, "
            "'StartSel=[, StopSel=], MaxWords=24, MinWords=8') AS snippet "
            f"FROM ({inner}) hits ORDER BY score DESC, id"
        )


SEARCH_INDEXES: dict[str, SearchIndex] = {"sqlite": Fts5Index(), "postgresql": PostgresIndex()}
"""Dialect name → backend; a repository on another database has no search."""
