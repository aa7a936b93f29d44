"""``fieldnote search`` through the real console entry point, on demo interviews."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.interviews.demo import demo_interviews
from fieldnote.repository import InterviewStore
from tests.conftest import run_cli


def test_search_demo_interviews(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fn = Fieldnote(Settings(home=home))
    try:
        fn.projects.ensure_default()
        interviews = demo_interviews(6)
        InterviewStore(fn.repository).save_many("default", interviews)
    finally:
        fn.close()
    word = "admin"
    # the word itself (or its plural): full-text search matches words, so "administrator"
    # is another word, not a mention of "admin"
    mention = re.compile(rf"\b{word}s?\b", re.IGNORECASE)
    expected = {
        (iv.id, u.start) for iv in interviews for u in iv.utterances if mention.search(u.text)
    }
    assert expected, "the demo interviews mention admins"
    out = json.loads(
        run_cli(
            home, "search", word, "--reindex", "--kind", "utterance", "--limit", "200", "--json"
        ).stdout
    )
    assert out["indexed"] >= sum(len(iv.utterances) for iv in interviews)
    got = {(h["interview_id"], h["start_s"]) for h in out["hits"]}
    assert expected <= got  # every literal mention is found (stemming may add more)
    assert all(h["kind"] == "utterance" and "[" in h["snippet"] for h in out["hits"])
    bad = run_cli(home, "search", "x", "--kind", "memo", "--json", check=False)
    assert bad.returncode == 1 and "kind 'memo'" in json.loads(bad.stdout)["error"]
    bad = run_cli(home, "search", "x", "--since", "yesterday", check=False)
    assert bad.returncode == 1
