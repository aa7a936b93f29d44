"""The demo interviews: realistic, varied, with the planted problem among others."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from fieldnote.interviews import MarkKind, Role
from fieldnote.interviews.demo import ADMIN, STORIES, demo_interviews
from fieldnote.interviews.linting import lint_question
from tests.conftest import run_cli


def _mentions_admin_problem(text: str) -> bool:
    lowered = text.lower()
    return "admin" in lowered and any(
        w in lowered for w in ("install", "permission", "rights", "approve", "access", "account")
    )


def test_planted_problem_among_other_topics() -> None:
    interviews = demo_interviews(30, seed=11)
    hit = [
        iv
        for iv in interviews
        if any(_mentions_admin_problem(u.text) for u in iv.participant_utterances)
    ]
    assert 17 <= len(hit) <= 22  # round(30 * 0.65) = 20 planted, give or take phrasing
    other_cues = {
        "load",
        "charts",
        "notifications",
        "plan",
        "export",
        "logging",
        "sharing",
        "behind",
        # paraphrases of the same topics (the generator varies its wording)
        "slow",
        "alerts",
        "pricing",
        "logged",
        "share",
        "lag",
        "zoom",
    }
    for iv in interviews:
        words = " ".join(u.text.lower() for u in iv.participant_utterances)
        assert sum(cue in words for cue in other_cues) >= 1  # unrelated topics too


def test_varied_not_template_identical() -> None:
    interviews = demo_interviews(24, seed=5)
    transcripts = ["\n".join(u.text for u in iv.participant_utterances) for iv in interviews]
    assert len(set(transcripts)) == len(transcripts)
    stories = Counter(
        u.text for iv in interviews for u in iv.participant_utterances if len(u.text.split()) > 25
    )
    assert max(stories.values()) <= 3  # long answers rarely repeat word for word
    assert len({iv.participant for iv in interviews}) >= 18
    assert len({len(iv.utterances) for iv in interviews}) >= 4


def test_pipeline_computed_roles_and_hesitation() -> None:
    interviews = demo_interviews(12, seed=2)
    for iv in interviews:
        assert [s.role for s in iv.speakers] == [Role.INTERVIEWER, Role.PARTICIPANT]
        for u in iv.utterances:
            if u.role is Role.INTERVIEWER and u.index:
                assert lint_question(u.text).clean or u.text.startswith("That is everything")
    pauses = [
        u
        for iv in interviews
        for u in iv.participant_utterances
        if any(m.kind is MarkKind.PAUSE for m in u.marks)
    ]
    assert pauses and all(_mentions_admin_problem(u.text) for u in pauses)
    assert len(STORIES[ADMIN]) >= 5


def test_same_seed_same_interviews() -> None:
    assert demo_interviews(5, seed=9) == demo_interviews(5, seed=9)
    assert demo_interviews(5, seed=9) != demo_interviews(5, seed=10)


def test_demo_files_import_back(home: Path, tmp_path: Path) -> None:
    out = json.loads(
        run_cli(home, "transcripts", "demo", str(tmp_path / "demo"), "--n", "12", "--json").stdout
    )
    files = out["files"]
    assert {Path(f).suffix for f in files} == {".vtt", ".srt", ".txt", ".json", ".docx"}
    imported = json.loads(run_cli(home, "transcripts", "import", *files, "--json").stdout)
    assert imported["errors"] == [] and len(imported["interviews"]) == 12
    formats = Counter(i["format"] for i in imported["interviews"])
    assert formats == {"vtt": 2, "srt": 2, "otter": 2, "text": 2, "json": 2, "docx": 2}
    assert all(i["participant_utterances"] > 10 for i in imported["interviews"])
    # Without --participant the roles come from who asks the questions.
    assert all(
        [s["role"] for s in i["speakers"]] == ["interviewer", "participant"]
        for i in imported["interviews"]
    )
