"""``fieldnote hypotheses`` end to end through the real console entry point."""

from __future__ import annotations

import json
from pathlib import Path

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository import ResearchStore
from tests.conftest import run_cli


def _question(home: Path) -> int:
    fn = Fieldnote(Settings(home=home))
    try:
        fn.projects.ensure_default()
        q, _ = ResearchStore(fn.repository).open_or_update(
            "default", anomaly_key=None, text="Why did activation drop?", evidence={}
        )
        ResearchStore(fn.repository).mark_diagnosed("default", q.id)
        return q.id
    finally:
        fn.close()


def test_add_link_set_status_list_and_trend(tmp_path: Path) -> None:
    home = tmp_path / "home"
    qid = _question(home)
    made = json.loads(
        run_cli(home, "hypotheses", "add", str(qid), "Admins lack access", "--json").stdout
    )
    hid = made["id"]
    assert made["status"] == "open" and made["question_id"] == qid
    linked = json.loads(
        run_cli(
            home,
            "hypotheses",
            "link",
            str(hid),
            "theme",
            "admin-access",
            "--excerpt",
            "I had to ask IT",
            "--json",
        ).stdout
    )
    assert linked["evidence"][0]["kind"] == "theme" and linked["evidence"][0]["excerpt"]
    moved = json.loads(
        run_cli(
            home, "hypotheses", "set-status", str(hid), "supported", "--reason", "n=6", "--json"
        ).stdout
    )
    assert [(h["from"], h["to"]) for h in moved["history"]] == [
        (None, "open"),
        ("open", "supported"),
    ]
    assert moved["history"][1]["actor"].startswith("cli")
    listed = json.loads(
        run_cli(home, "hypotheses", "list", "--status", "supported", "--json").stdout
    )
    assert [h["id"] for h in listed["hypotheses"]] == [hid]
    weeks = json.loads(run_cli(home, "hypotheses", "trend", "--json").stdout)["weeks"]
    assert len(weeks) == 1 and weeks[0]["count"] == 1 and weeks[0]["small_sample"]


def test_bad_input_names_the_problem(tmp_path: Path) -> None:
    home = tmp_path / "home"
    qid = _question(home)
    bad = run_cli(home, "hypotheses", "add", "999", "x", "--json", check=False)
    assert bad.returncode == 1 and "no question 999" in json.loads(bad.stdout)["error"]
    hid = json.loads(run_cli(home, "hypotheses", "add", str(qid), "H", "--json").stdout)["id"]
    bad = run_cli(home, "hypotheses", "set-status", str(hid), "true", check=False)
    assert bad.returncode == 1 and "status 'true' is not one of" in bad.stderr
    bad = run_cli(home, "hypotheses", "link", str(hid), "gossip", "x", check=False)
    assert bad.returncode == 1 and "evidence kind 'gossip'" in bad.stderr
    bad = run_cli(home, "hypotheses", "list", "-p", "nope", check=False)
    assert bad.returncode == 1
