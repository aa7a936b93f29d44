"""``fieldnote evidence / opportunities / jobs / releases validate / search --step``
through the real console entry point, on a store with a funnel and a theme book."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import run_cli
from tests.evidence._artifacts_seed import seed_home

P = ("--project", "p")
MARCH = ("--from", "2026-03-02", "--to", "2026-03-29")
STEPS = ("-s", "signup", "-s", "integration_viewed", "-s", "connect_integration")


def _json(home: Path, *args: str) -> dict:  # type: ignore[type-arg]
    out: dict = json.loads(run_cli(home, *args, *P, "--json").stdout)  # type: ignore[type-arg]
    return out


def test_evidence_commands(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seed_home(home)
    themes = _json(home, "evidence", "themes", "main", *MARCH, "--metric", "conversion",
                   "--event", "connect_integration")  # fmt: skip
    t1 = next(t for t in themes["themes"] if t["id"] == "t1")
    assert t1["vs_participants"]["n_group"] == 4  # p6 has no events
    assert "Participants who talk about Admin access" in t1["summary"]
    reach = _json(home, "evidence", "reach", "main", "t1", *MARCH, *STEPS)
    assert reach["size"] == 30 and reach["active_users"] == 60
    assert reach["basis"].startswith("4 of 5 participants")
    ios = _json(home, "evidence", "reach", "main", "t1", *MARCH, *STEPS, "--by", "$os")
    assert ios["size"] == 17 and "integration_viewed where $os=ios" in ios["description"]
    journey = _json(home, "evidence", "journey", "main", *MARCH, *STEPS)
    assert [s["users"] for s in journey["steps"]] == [60, 50, 20]
    assert journey["steps"][1]["themes"][0]["theme"] == "t1"
    personas = _json(home, "evidence", "personas", "main", "--by", "$os", "--attr", "plan")
    assert personas["personas"][0]["value"] == "ios"
    assert personas["personas"][0]["empathy"]["feels"][0]["note"] == "n1"
    bad = run_cli(home, "evidence", "reach", "main", "t9", *MARCH, *STEPS, *P, "--json",
                  check=False)  # fmt: skip
    assert bad.returncode == 1 and "no theme 't9'" in json.loads(bad.stdout)["error"]


def test_opportunities_jobs_and_validation(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seed_home(home)
    made = _json(home, "opportunities", "create", "fix admin access", "--effort", "2",
                 "--book", "main", "--theme", "t1", "--segment", "stuck at integration")  # fmt: skip
    assert made["score"] > 0
    assert made["components"]["reach_source"].startswith("segment 'stuck at integration'")
    _json(home, "opportunities", "create", "dashboard", "--effort", "5", "--book", "main",
          "--theme", "t2", "--segment", "stuck at integration")  # fmt: skip
    _json(home, "opportunities", "create", "later", "--effort", "1")
    ranked = _json(home, "opportunities", "list")["opportunities"]
    assert [o["name"] for o in ranked] == ["fix admin access", "dashboard", "later"]
    shown = run_cli(home, "opportunities", "show", "fix admin access", *P).stdout
    assert "impact:" in shown and "5 of 6 participants" in shown
    rows = list(csv.DictReader(io.StringIO(run_cli(home, "opportunities", "export", *P).stdout)))
    assert [r["name"] for r in rows] == ["fix admin access", "dashboard", "later"]
    assert rows[0]["confidence_source"].startswith("5 participants cite it")
    assert rows[2]["score"] == ""
    bad = run_cli(home, "opportunities", "create", "x", "--effort", "1", "--book", "main",
                  "--theme", "nope", *P, "--json", check=False)  # fmt: skip
    assert "theme book 'main' has no theme 'nope'" in json.loads(bad.stdout)["error"]

    story = _json(home, "jobs", "add", "--when", "I connect the integration on my phone",
                  "--want", "do it without an admin", "--so", "sync today",
                  "-e", "theme:main:t1", "-e", "note:main:n4")  # fmt: skip
    assert story["text"].startswith("When I connect the integration on my phone, I want to")
    _json(home, "jobs", "edit", str(story["id"]), "--so", "start syncing today")
    assert _json(home, "jobs", "list")["job_stories"][0]["outcome"] == "start syncing today"
    wrong = run_cli(home, "jobs", "add", "--when", "a", "--want", "b", "--so", "c", "-e",
                    "note:main:n99", *P, "--json", check=False)  # fmt: skip
    assert "has no note 'n99'" in json.loads(wrong.stdout)["error"]
    _json(home, "jobs", "delete", str(story["id"]))

    run_cli(home, "releases", "create", "2.5", "--at", "2026-03-10", "--metric", "conversion",
            "-s", "integration_viewed", "-s", "connect_integration", "--by", "$os", *P)  # fmt: skip
    proposed = _json(home, "releases", "validate", "2.5")
    assert proposed["segment"] == "release 2.5: exposed"
    assert proposed["study"]["status"] == "proposed"
    assert _json(home, "releases", "validate", "2.5")["study"]["id"] == proposed["study"]["id"]


def test_search_by_step_and_segment(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seed_home(home)
    tagged = _json(home, "search", "signup", "--reindex", "--step", "signup")
    assert [h["ref"] for h in tagged["hits"]] == ["main:n8"]
    stuck = _json(home, "search", "admin", "--segment", "stuck at integration")
    assert {h["ref"] for h in stuck["hits"]} == {"main:n1", "main:n2", "main:n4"}
    unknown = run_cli(home, "search", "admin", "--segment", "nope", *P, "--json", check=False)
    assert "nope" in json.loads(unknown.stdout)["error"]
