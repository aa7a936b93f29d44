"""Panel computations held to plain reference implementations (hypothesis):
recruitment's quota filling, behaviour counts on a real DuckDB store, and the CSV
reader on arbitrary valid rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.research import (
    Candidate,
    Criteria,
    Quota,
    Screener,
    Standing,
    event_counts,
    parse_panel_csv,
    parse_where,
    recruit,
)

TIERS = ("daily", "occasional", "dormant", "potential")

people = st.lists(
    st.tuples(
        st.sampled_from(TIERS),
        st.integers(0, 14),  # active days
        st.booleans(),  # interviewed before
        st.booleans(),  # contact consent
        st.booleans(),  # excluded by the fatigue policy
        st.sampled_from(("PM", "Engineer")),
    ),
    max_size=25,
)


def reference(
    rows: list[tuple[str, int, bool, bool, bool, str]], cells: dict[str, int], target: int
) -> list[int]:
    """Plain greedy: score, sort, take while the tier cell and the target allow."""
    scored = []
    for pid, (tier, days, before, contact, excluded, role) in enumerate(rows):
        if excluded or role != "PM":
            continue
        persona = 1.0  # everyone left matches the one persona ("PM")
        score = 2.0 * days / 14 + (0.0 if before else 2.0) + (1.0 if contact else 0.0) + persona
        scored.append((-score, pid, tier))
    scored.sort()
    taken: list[int] = []
    used: dict[str, int] = {}
    for _, pid, tier in scored:
        if tier in cells and used.get(tier, 0) < cells[tier] and len(taken) < target:
            used[tier] = used.get(tier, 0) + 1
            taken.append(pid)
    return taken


@settings(max_examples=200, deadline=None)
@given(
    rows=people,
    cells=st.dictionaries(st.sampled_from(TIERS), st.integers(1, 4), min_size=1),
    target=st.integers(1, 10),
)
def test_recruitment_matches_a_plain_greedy_reference(
    rows: list[tuple[str, int, bool, bool, bool, str]], cells: dict[str, int], target: int
) -> None:
    candidates = [
        Candidate(participant_id=i, attributes={"tier": r[0], "role": r[5]})
        for i, r in enumerate(rows)
    ]
    standings = {
        i: Standing(
            excluded="interviewed recently" if r[4] else None,
            excluded_code="interviewed" if r[4] else None,
            interviewed_before=r[2],
            contact_consent=r[3],
            days_active_14=r[1],
        )
        for i, r in enumerate(rows)
    }
    screener = Screener(
        criteria=Criteria((parse_where("role=PM"),)),
        quotas=(Quota("tier", cells),),
        target=target,
    )
    pm = Criteria((parse_where("role=PM"),))
    result = recruit(candidates, standings, screener, {"pm": pm}, default_target=99)
    chosen = [c.participant_id for c in result.candidates if c.outcome == "chosen"]
    assert chosen == reference(rows, cells, target)
    fill = {f["value"]: f["filled"] for f in result.fill}
    assert all(fill[v] <= n for v, n in cells.items())
    assert len(result.candidates) == len(rows)  # nobody is lost: each has an outcome


TODAY = date(2026, 11, 30)


@settings(max_examples=40, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from(("x", "y")), st.integers(0, 60)),
        max_size=60,
    ),
    days=st.integers(1, 45),
)
def test_event_counts_match_a_plain_count(events: list[tuple[str, str, int]], days: int) -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE events (project VARCHAR, distinct_id VARCHAR, event VARCHAR, "
        "timestamp TIMESTAMPTZ)"
    )
    for who, name, ago in events:
        at = datetime.combine(TODAY - timedelta(days=ago), datetime.min.time(), UTC)
        con.execute(
            "INSERT INTO events VALUES ('p', ?, ?, ?)", [who, name, at + timedelta(hours=23)]
        )
    got = event_counts(con, "p", ["a", "b", "c"], [("x", days)], TODAY)
    expected: dict[tuple[str, str, int], int] = {}
    for who, name, ago in events:
        if name == "x" and ago < days:
            expected[(who, "x", days)] = expected.get((who, "x", days), 0) + 1
    assert got == expected
    con.close()


text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}", fullmatch=True),
            text,
            st.integers(1, 100_000),
            text,
        ),
        max_size=15,
        unique_by=lambda r: r[0],
    )
)
def test_csv_reader_reads_back_what_was_written(rows: list[tuple[str, str, int, str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "company_size", "Segment note"])
    for local, name, size, note in rows:
        writer.writerow([f"{local}@example.org", name[:200], size, note])
    parsed = parse_panel_csv(out.getvalue())
    assert [(p.email, p.name, p.company_size, p.custom.get("Segment note")) for p in parsed] == [
        (f"{local}@example.org", name[:200], size, note) for local, name, size, note in rows
    ]
