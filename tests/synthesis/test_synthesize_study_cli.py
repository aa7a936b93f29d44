"""``fieldnote synthesize --study``: themes from transcripts stored in the research repository."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from fieldnote._core import Fieldnote
from fieldnote.interviews import Interview, Role, Utterance
from fieldnote.repository import DEFAULT_PROJECT, InterviewStore, ResearchStore
from tests.conftest import run_cli
from tests.synthesis._corpus import planted


def _interviews(study: str) -> list[Interview]:
    notes, _ = planted()
    by_person: dict[str, list[str]] = {}
    for n in notes:
        by_person.setdefault(n.participant or "", []).append(n.text)
    out = []
    for person, texts in sorted(by_person.items()):
        utterances: list[Utterance] = []
        for text in texts:
            utterances.append(
                Utterance(
                    index=len(utterances),
                    speaker="Mod",
                    role=Role.INTERVIEWER,
                    text="Tell me more?",
                )
            )
            utterances.append(
                Utterance(
                    index=len(utterances), speaker=person, role=Role.PARTICIPANT, text=text + "."
                )
            )
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


def test_synthesize_a_study(fieldnote: Fieldnote, home: Path) -> None:
    _ = fieldnote.projects
    research = ResearchStore(fieldnote.repository)
    question, _ = research.open_or_update(
        DEFAULT_PROJECT, anomaly_key=None, text="Why do teams stall?", evidence={}
    )
    study = research.propose_study(
        DEFAULT_PROJECT, question.id, plan={}, quota=(5, 8), deadline=timedelta(days=2)
    )
    interviews = _interviews(str(study.id))
    InterviewStore(fieldnote.repository).save_many(DEFAULT_PROJECT, interviews)
    fieldnote.close()
    data = json.loads(run_cli(home, "synthesize", "--study", str(study.id), "--json").stdout)
    assert data["interviews"] == len(interviews)
    assert data["notes"] == sum(len(i.participant_utterances) for i in interviews)
    assert data["themes"]
    quote = data["themes"][0]["quotes"][0]
    assert quote["source"].startswith("iv-") and quote["participant"]
    assert "Tell me more" not in json.dumps(data["themes"])
    # corrections through `fieldnote book` survive the next run
    book = data["book"]
    top = data["themes"][0]["id"]
    other = data["themes"][1]["id"]
    run_cli(home, "book", "rename", book, top, "Admin access blocks teams", "--json")
    note = next(a["id"] for a in data["assignments"] if a["theme"] == other)
    run_cli(home, "book", "move", book, top, note, "--json")
    again = json.loads(run_cli(home, "synthesize", "--study", str(study.id), "--json").stdout)
    assert {t["id"]: t["label"] for t in again["themes"]}[top] == "Admin access blocks teams"
    assert {a["id"]: a["theme"] for a in again["assignments"]}[note] == top
    shown = json.loads(run_cli(home, "book", "show", book, "--json").stdout)
    assert {"id": top, "label": "Admin access blocks teams", "renamed": True}.items() <= next(
        t for t in shown["themes"] if t["id"] == top
    ).items()
    bad = run_cli(home, "book", "merge", book, top, "t999", "--json", check=False)
    assert bad.returncode == 1 and json.loads(bad.stdout) == {
        "error": "no theme 't999' in this book"
    }
    missing = run_cli(home, "synthesize", "--study", "999", "--json", check=False)
    assert missing.returncode == 1 and json.loads(missing.stdout) == {
        "error": "this project has no study 999"
    }
