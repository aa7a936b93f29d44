"""``fieldnote demo``: the planted mobile drop after 2.4.0 fires the demo's monitor,
opens a Question naming mobile and the integration step, and proposes a study of the
mobile users who dropped there (a small demo, through the real CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.mark.slow
def test_demo_monitor_opens_the_mobile_integration_question(home: Path) -> None:
    out = run_cli(
        home,
        "demo",
        "--no-serve",
        "--users",
        "3000",
        "--seed",
        "7",
        "--start",
        "2026-01-05",
        "--json",
    )
    monitor = json.loads(out.stdout)["monitor"]
    assert monitor["fired"] and monitor["new_question"]
    assert monitor["evaluation"]["direction"] == "down"
    question = monitor["question"]
    assert (
        "(mobile: platform ios, android; at integration_step_viewed → connect_integration)"
        in (question["text"])
    )
    assert question["text"].startswith("We see conversion signup")
    assert question["text"].endswith("we do not yet know why.")
    drivers = monitor["signal"]["evidence"]["drivers"]
    assert drivers["family"] == "mobile" and sorted(drivers["values"]) == ["android", "ios"]
    decomposition = monitor["signal"]["evidence"]["decomposition"]
    assert [d["dimension"] for d in decomposition["dimensions"]] == [
        "event.platform",
        "event.channel",
    ]
    (study,) = question["studies"]
    assert study["quota"] == {"min": 5, "max": 8} and study["status"] == "proposed"
    assert study["plan"]["deadline_hours"] == 48
    segments = {s["name"]: s for s in study["plan"]["segments"]}
    assert set(segments) == {
        f"q{question['id']}-ios-dropped-integration-step-viewed",
        f"q{question['id']}-android-dropped-integration-step-viewed",
    }
    ios = segments[f"q{question['id']}-ios-dropped-integration-step-viewed"]["definition"]
    assert ios["dropped"] and ios["funnel"]["steps"][ios["step"] - 1] == "integration_step_viewed"
    assert ios["funnel"]["steps"][0] == "signup where platform=ios"
    # the plan's segments are saved, so recruiting can re-run them
    saved = json.loads(run_cli(home, "segments", "list", "--project", "demo", "--json").stdout)
    names = {s["name"] for s in saved["segments"]}
    assert set(segments) <= names
    # running the demo again reuses the events and updates the same open question
    again = json.loads(run_cli(home, "demo", "--no-serve", "--json").stdout)["monitor"]
    assert again["fired"] and not again["new_question"]
    assert again["question"]["id"] == question["id"] and again["signal"] is None
    listed = json.loads(run_cli(home, "questions", "list", "--project", "demo", "--json").stdout)[
        "questions"
    ]
    assert [q["id"] for q in listed] == [question["id"]]
