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
    missing = run_cli(home, "synthesize", "--study", "999", "--json", check=False)
    assert missing.returncode == 1 and json.loads(missing.stdout) == {
        "error": "this project has no study 999"
    }
