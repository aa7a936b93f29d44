"""A home with a study whose timed transcripts were synthesized into a theme book, a
researcher and a viewer: what the affinity map, theme and transcript tests start from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.interviews import Interview, Role, Utterance
from fieldnote.repository import DEFAULT_PROJECT, InterviewStore, ResearchStore
from tests.conftest import run_cli
from tests.synthesis._corpus import planted
from tests.web.accounts_support import add_user

RESEARCHER = "res@example.org"
VIEWER = "view@example.org"


@dataclass(frozen=True)
class ThemeHome:
    home: Path
    study: str
    book: str
    run: dict[str, Any]
    """The first ``synthesize --json`` output."""


def _interviews(study: str) -> list[Interview]:
    notes, _ = planted(per_theme=10)
    by_person: dict[str, list[str]] = {}
    for n in notes:
        by_person.setdefault(n.participant or "", []).append(n.text)
    out = []
    for person, texts in sorted(by_person.items()):
        utterances: list[Utterance] = []
        t = 0.0
        for text in texts:
            utterances.append(
                Utterance(
                    index=len(utterances),
                    speaker="Mod",
                    role=Role.INTERVIEWER,
                    text="Tell me more?",
                    start=t,
                    end=t + 2,
                )
            )
            utterances.append(
                Utterance(
                    index=len(utterances),
                    speaker=person,
                    role=Role.PARTICIPANT,
                    text=text + ".",
                    start=t + 3,
                    end=t + 9,
                )
            )
            t += 12
        out.append(
            Interview(
                id=f"iv-{person}",
                source="test",
                format="json",
                utterances=tuple(utterances),
                study=study,
                participant=person,
            )
        )
    return out


def synthesize(home: Path, study: str) -> dict[str, Any]:
    out = run_cli(home, "synthesize", "--study", study, "--json").stdout
    data: dict[str, Any] = json.loads(out)
    return data


def theme_home(home: Path) -> ThemeHome:
    fn = Fieldnote(Settings(home=home))
    try:
        fn.projects.ensure_default()
        research = ResearchStore(fn.repository)
        question, _ = research.open_or_update(
            DEFAULT_PROJECT, anomaly_key=None, text="Why do teams stall?", evidence={}
        )
        study = research.propose_study(
            DEFAULT_PROJECT, question.id, plan={}, quota=(5, 8), deadline=timedelta(days=2)
        )
        InterviewStore(fn.repository).save_many(DEFAULT_PROJECT, _interviews(str(study.id)))
    finally:
        fn.close()
    add_user(home, RESEARCHER, "researcher", project=DEFAULT_PROJECT)
    add_user(home, VIEWER, "viewer", project=DEFAULT_PROJECT)
    run = synthesize(home, str(study.id))
    return ThemeHome(home=home, study=str(study.id), book=run["book"], run=run)
