"""A small, realistic world for the evidence artifacts: a funnel's events and a theme
book whose participants are users of it.

60 users go signup → integration_viewed → connect_integration over March 2026: the
first 30 only sign up and view the integration (they drop there), 10 sign up only, 20
connect. Six participants were interviewed: p1-p4 dropped at the integration step (on
ios) and talk about admin access; p5 connected (android) and loves the dashboard; p6
never appears in the events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.repository import Projects, Repository
from fieldnote.repository._themebook import BookNoteRow, BookThemeRow, ThemeBookRow
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import US, Ev

MARCH = datetime(2026, 3, 2, tzinfo=UTC)
RANGE = DateRange(MARCH, MARCH + timedelta(days=28))
STEPS = ("signup", "integration_viewed", "connect_integration")

NOTES = [
    ("n1", "p1", "t1", "I couldn't connect it, it needs an admin and I was so frustrated", []),
    ("n2", "p2", "t1", "I think only admins can connect the integration", []),
    ("n3", "p3", "t1", "We ended up asking IT to do it for us", []),
    ("n4", "p4", "t1", "It said I need admin permission", []),
    ("n5", "p5", "t2", "I love the dashboard, it's great", []),
    ("n6", "p5", "t2", "I usually check the dashboard every morning", []),
    ("n7", "p6", "t1", "Admin approval took a week", []),
    ("n8", "p2", None, "The signup form was fine", ["step:signup"]),
]
LABELS = {"t1": "Admin access blocks integration", "t2": "Dashboard delight"}


def _ts(day: int, minute: int) -> int:
    return int((MARCH + timedelta(days=day, minutes=minute)).timestamp()) * US


def events() -> list[Ev]:
    out: list[Ev] = []
    users = [f"p{i}" for i in range(1, 5)] + [f"u{i}" for i in range(26)]  # drop at step 2
    for i, u in enumerate(users):
        os_ = "ios" if u.startswith("p") or i % 2 else "android"
        out += [
            Ev(u, "signup", _ts(i % 20, 0), {"$os": os_, "plan": "team"}),
            Ev(u, "integration_viewed", _ts(i % 20, 5), {"$os": os_}),
        ]
    for i in range(10):  # sign up only
        out.append(Ev(f"s{i}", "signup", _ts(i, 1), {"$os": "web"}))
    for i, u in enumerate(["p5"] + [f"c{i}" for i in range(19)]):  # connect
        out += [
            Ev(u, "signup", _ts(i % 20, 2), {"$os": "android", "plan": "pro"}),
            Ev(u, "integration_viewed", _ts(i % 20, 3), {"$os": "android"}),
            Ev(u, "connect_integration", _ts(i % 20, 4), {"$os": "android"}),
        ]
    return out


def source() -> DuckDBSource:
    return DuckDBSource(store_like_duckdb(events()), EventTables(project="p"))


def seed_book(repository: Repository, project: str = "acme", book: str = "main") -> None:
    import json

    pid = Projects(repository).require(project).id
    with repository.session() as s:
        row = ThemeBookRow(project_id=pid, name=book, created_at=datetime.now(UTC))
        s.add(row)
        s.flush()
        for tid, label in LABELS.items():
            s.add(BookThemeRow(book_id=row.id, theme=tid, label=label))
        for note, who, theme, text, tags in NOTES:
            s.add(
                BookNoteRow(
                    book_id=row.id,
                    note=note,
                    text=text,
                    participant=who,
                    source="iv-" + who,
                    theme=theme,
                    tags=json.dumps(tags),
                )
            )


def seed_home(home: Path, project: str = "p") -> None:
    """A fieldnote home with the events in its store, the theme book and a saved
    segment "stuck at integration" (dropped at step 2 in March)."""
    import uuid

    import orjson

    from fieldnote._core import Fieldnote
    from fieldnote.analytics.funnels import Funnel, FunnelStep
    from fieldnote.analytics.segments import SegmentDefinition
    from fieldnote.config import Settings
    from fieldnote.events import Event, events_to_arrow
    from fieldnote.repository import SavedSegments

    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    fn.projects.create(project)
    store = fn.open_event_store()
    store.append(
        events_to_arrow(
            [
                Event(
                    uuid=str(uuid.UUID(int=i + 1)),
                    project=project,
                    distinct_id=e.distinct_id,
                    event=e.event,
                    timestamp=datetime.fromtimestamp(e.ts / 1e6, UTC),
                    properties_json=orjson.dumps(e.props).decode(),
                )
                for i, e in enumerate(events())
            ]
        )
    )
    store.close()
    seed_book(fn.repository, project)
    funnel = Funnel(steps=tuple(FunnelStep.parse(s) for s in STEPS), dates=RANGE)
    SavedSegments(fn.repository).create(
        project,
        "stuck at integration",
        SegmentDefinition(funnel=funnel, step=2, dropped=True).to_dict(),
        created_by=None,
    )
    fn.close()


INTERVIEW = "a" * 32


def seed_interview(home: Path, project: str = "p") -> None:
    """p1's interview (times in seconds) and a fresh search index."""
    from fieldnote._core import Fieldnote
    from fieldnote.config import Settings
    from fieldnote.interviews import Interview, Role, Speaker, Utterance
    from fieldnote.repository import InterviewStore, SearchStore

    lines = [
        ("Ivo", Role.INTERVIEWER, "Tell me about connecting the integration."),
        ("p1", Role.PARTICIPANT, "On my phone it asked for an admin and I gave up."),
        ("p1", Role.PARTICIPANT, "The dashboard itself is fine."),
    ]
    fn = Fieldnote(Settings(home=home))
    InterviewStore(fn.repository).save_many(
        project,
        [
            Interview(
                id=INTERVIEW,
                source="test",
                format="text",
                participant="p1",
                speakers=(
                    Speaker(name="p1", role=Role.PARTICIPANT, reason="t"),
                    Speaker(name="Ivo", role=Role.INTERVIEWER, reason="t"),
                ),
                utterances=tuple(
                    Utterance(index=i, speaker=who, role=role, text=text, start=65.0 * i)
                    for i, (who, role, text) in enumerate(lines)
                ),
            )
        ],
    )
    SearchStore(fn.repository).reindex(project)
    fn.close()
