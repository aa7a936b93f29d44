"""Participant panel at a realistic size: ``python -m bench panel [--people N] [--events M]``.

Times the operations a researcher waits for: importing a customer list (and
re-importing it), the panel with tiers, recruiting a study (behaviour criterion,
persona, tier quotas) and erasing one participant from both stores. Issue 6 names no
peer for these, so the figures stand alone (SQLite repository, DuckDB store).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore
from fieldnote.events._erasure import pseudonymise_person
from fieldnote.repository import Projects, Repository, ResearchStore
from fieldnote.repository._erasure import ErasureTarget, erase_participant
from fieldnote.repository._panel import ParticipantStore
from fieldnote.repository._panel_view import panel, recruit_study
from fieldnote.repository._personas import PersonaStore
from fieldnote.research import Criteria, Screener, parse_did, parse_panel_csv, parse_where

ROLES = ("Product Manager", "Engineer", "Designer", "Finance", "Founder")


def _csv(n: int) -> str:
    rng = random.Random(1)
    lines = ["email,name,company,role,company_size,distinct_id,plan"]
    for i in range(n):
        lines.append(
            f"p{i}@corp{i % 700}.example,Person {i},Corp {i % 700},{rng.choice(ROLES)},"
            f"{rng.randint(2, 5000)},{'u-' + str(i) if i % 2 == 0 else ''},"
            f"{rng.choice(('team', 'enterprise'))}"
        )
    return "\n".join(lines) + "\n"


def _events(store: DuckDBEventStore, people: int, n: int, today: date) -> None:
    rng = random.Random(2)
    end = datetime.combine(today, datetime.min.time(), UTC)
    ids = [f"u-{2 * rng.randrange(people // 2)}" for _ in range(n)]
    store.commit(
        pa.table(
            {
                "uuid": [str(uuid.uuid4()) for _ in range(n)],
                "project": ["default"] * n,
                "distinct_id": ids,
                "event": [rng.choice(("$pageview", "report_created", "export")) for _ in ids],
                "timestamp": [end - timedelta(minutes=rng.randrange(60 * 24 * 60)) for _ in ids],
                "properties": [f'{{"email": "{d}@corp.example"}}' for d in ids],
            },
            schema=ARROW_SCHEMA,
        )
    )


def _time(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv: list[str]) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="python -m bench panel")
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=500_000)
    args = ap.parse_args(argv)
    today = date.today()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        repo = Repository(f"sqlite:///{tmp}/repo.sqlite")
        repo.upgrade()
        Projects(repo).ensure_default()
        store = DuckDBEventStore(Path(tmp) / "events.duckdb")
        _events(store, args.people, args.events, today)
        text = _csv(args.people)
        people = ParticipantStore(repo)
        t_import, _ = _time(lambda: people.import_rows("default", parse_panel_csv(text)))
        t_again, again = _time(lambda: people.import_rows("default", parse_panel_csv(text)))
        with store.reader() as cur:
            t_panel, views = _time(lambda: panel(repo, "default", cur, today))
        PersonaStore(repo).create(
            "default",
            "reporting-pm",
            Criteria(
                (parse_where("role in Product Manager,Founder"),),
                (parse_did("report_created>=2/30d"),),
            ),
        )
        research = ResearchStore(repo)
        q, _ = research.open_or_update("default", anomaly_key="b", text="Why?", evidence={})
        study = research.propose_study(
            "default", q.id, plan={"segments": []}, quota=(5, 8), deadline=timedelta(hours=48)
        ).id
        PersonaStore(repo).set_screener(
            "default",
            study,
            Screener.from_dict(
                {
                    "personas": ["reporting-pm"],
                    "quotas": [
                        {"by": "tier", "cells": {"daily": 3, "occasional": 3, "dormant": 2}}
                    ],
                }
            ),
        )
        with store.reader() as cur:
            t_recruit, rec = _time(lambda: recruit_study(repo, "default", study, cur))

        def events(target: ErasureTarget) -> dict[str, int]:
            return pseudonymise_person(
                store.connection,
                target.project,
                target.distinct_ids,
                target.pseudonym,
                target.identifiers,
            ).to_dict()

        t_erase, report = _time(
            lambda: erase_participant(
                repo, "default", "p0@corp0.example", actor="bench", events=events
            )
        )
        store.close()
        repo.dispose()
    result = {
        "people": args.people,
        "events": args.events,
        "import_s": round(t_import, 3),
        "reimport_s": round(t_again, 3),
        "reimport_unchanged": again.unchanged,
        "panel_with_tiers_s": round(t_panel, 3),
        "panel_size": len(views),
        "recruit_s": round(t_recruit, 3),
        "recruit_chosen": len(rec.recruitment.chosen),
        "erase_s": round(t_erase, 3),
        "erased_events": (report.events or {}).get("events"),
    }
    for k, v in result.items():
        print(f"{k}: {v}")
    return result
