"""Research repository search latency over 1,000 interviews' notes.

``python -m bench search [--interviews N] [--postgres URL]`` saves N demo interviews
(``fieldnote.interviews.demo``) into a fresh SQLite repository (and, with
``--postgres``, into a throwaway schema of that server), builds the search index and
times a fixed mix of queries (single words, two words, a phrase, an exclusion, with
and without a kind filter) through ``SearchStore.search``. The floor is p95 < 100 ms.

The peer is the plain scan a repository without full-text search would do —
``body LIKE '%word%'`` for every word over the same documents, same run — so the
ratio says what the index buys, independent of the machine's load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from fieldnote.interviews.demo import demo_interviews
from fieldnote.repository import (
    InterviewStore,
    Projects,
    Repository,
    SearchFilters,
    SearchStore,
)

QUERIES: list[tuple[str, tuple[str, ...]]] = [
    ("admin", ()),
    ("sync", ()),
    ("export spreadsheet", ()),
    ('"admin access"', ()),
    ("dashboard -mobile", ()),
    ("notifications", ("utterance",)),
    ("integration OR connect", ()),
    ("team", ("utterance",)),
    ("phone", ()),
    ("weekly report", ()),
]
ROUNDS = 20
FLOOR_MS = 100.0


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _like_scan(repo: Repository, query: str, kinds: tuple[str, ...]) -> int:
    words = [w.strip('"').lstrip("-") for w in query.split() if w not in {"OR"}]
    clauses = " AND ".join(f"lower(body) LIKE :w{i}" for i in range(len(words)))
    params: dict[str, Any] = {f"w{i}": f"%{w.lower()}%" for i, w in enumerate(words)}
    kind_sql = ""
    if kinds:
        kind_sql = " AND kind = :kind"
        params["kind"] = kinds[0]
    sql = f"SELECT id FROM search_documents WHERE {clauses}{kind_sql} LIMIT 20"
    with repo.session() as s:
        return len(s.execute(text(sql), params).all())


def _time(call: Any) -> list[float]:
    out: list[float] = []
    for _ in range(ROUNDS):
        for q, kinds in QUERIES:
            t0 = time.perf_counter()
            call(q, kinds)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def _run(repo: Repository, n: int, label: str) -> dict[str, Any]:
    repo.upgrade()
    Projects(repo).create("bench")
    interviews = demo_interviews(n, seed=11)
    t0 = time.perf_counter()
    InterviewStore(repo).save_many("bench", interviews)
    save_s = time.perf_counter() - t0
    store = SearchStore(repo)
    t0 = time.perf_counter()
    docs = store.reindex("bench")
    index_s = time.perf_counter() - t0

    def ours(q: str, kinds: tuple[str, ...]) -> None:
        store.search("bench", q, SearchFilters(kinds=kinds, limit=20))

    _time(ours)  # warm caches before measuring either side
    fts = _time(ours)
    scan = _time(lambda q, kinds: _like_scan(repo, q, kinds))
    result = {
        "backend": label,
        "interviews": n,
        "documents": docs,
        "save_s": round(save_s, 2),
        "reindex_s": round(index_s, 2),
        "queries": len(fts),
        "p50_ms": round(statistics.median(fts), 2),
        "p95_ms": round(_p95(fts), 2),
        "like_scan_p95_ms": round(_p95(scan), 2),
        "speedup_vs_like_p95": round(_p95(scan) / max(_p95(fts), 1e-9), 1),
        "floor_p95_ms": FLOOR_MS,
        "meets_floor": _p95(fts) < FLOOR_MS,
    }
    print(
        f"{label}: {n} interviews, {docs} documents (reindex {index_s:.1f} s); "
        f"search p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms "
        f"(floor < {FLOOR_MS:.0f} ms: {'met' if result['meets_floor'] else 'MISSED'}); "
        f"LIKE scan p95 {result['like_scan_p95_ms']} ms → {result['speedup_vs_like_p95']}x",
        flush=True,
    )
    return result


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench search")
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--postgres", default=None, help="e.g. postgresql+psycopg://...")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repository(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        try:
            results.append(_run(repo, args.interviews, "sqlite-fts5"))
        finally:
            repo.dispose()
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        repo = Repository(f"{args.postgres}?options=-csearch_path%3D{schema}")
        try:
            results.append(_run(repo, args.interviews, "postgresql-tsvector"))
        finally:
            repo.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return {"results": results}
