"""``fieldnote demo --no-serve --json`` runs the whole loop on the planted problem
(issue 9 item 8) and its study invites the right people (issue 6 item 7).

One small demo through the real CLI; every assertion reads what a stage computed,
and the invitations are checked against the events in the store, not against the
demo's own report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository._opportunities import OpportunityStore
from tests.conftest import run_cli

ARGS = ("demo", "--no-serve", "--users", "3000", "--seed", "7", "--start", "2026-01-05", "--json")
_ADMIN = re.compile(r"\b(?:admin\w*|permission\w*|rights|access|approv\w*)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    home = tmp_path_factory.mktemp("loop")
    return home, json.loads(run_cli(home, *ARGS).stdout)


@pytest.mark.slow
def test_every_stage_runs_and_reports_what_it_computed(demo: tuple[Path, dict[str, Any]]) -> None:
    _, out = demo
    assert out["stopped"] is None
    assert out["signal"]["reason"].startswith("conversion signup")
    assert "mobile: platform ios, android" in out["question"]["text"]
    study = out["study"]
    assert study["status"] == "started" and study["quota"] == {"min": 5, "max": 8}
    invitations = out["invitations"]
    assert invitations["sent"] == 3 * study["quota"]["max"]
    assert set(invitations["segments"]) == set(study["segments"])
    interviews = out["interviews"]
    assert interviews["completed"] == study["quota"]["max"]
    assert interviews["asked"] == interviews["completed"] + interviews["declined"]
    assert interviews["answers"] > 5 * interviews["completed"]
    assert interviews["study_total"] == interviews["completed"]  # the study's first run
    top = out["top_theme"]
    assert top["label"] and top["participants"] >= 2
    assert top["funnel_step"]["step_from"] == "integration_step_viewed"
    assert top["funnel_step"]["step_to"] == "connect_integration"
    effect = top["behavioural_effect"]
    everyone, at_step = effect["vs_everyone"], effect["vs_reached_step"]
    assert everyone["metric"] == "conversion to connect_integration"
    assert everyone["n_group"] == top["funnel_step"]["participants"]
    assert everyone["mean_group"] == 0.0 and everyone["difference"] < 0  # they all dropped
    # against everyone who reached the same step (fewer people, who converted more)
    assert at_step["n_group"] == everyone["n_group"]
    assert 100 < at_step["n_other"] < everyone["n_other"]
    assert at_step["mean_other"] > everyone["mean_other"]
    assert at_step["warnings"]  # a handful of interviews: said so, not hidden
    hypothesis = out["hypothesis"]
    assert hypothesis["status"] in {"supported", "inconclusive"}
    assert hypothesis["text"].startswith(repr(top["label"]))
    assert "too small to say anything" in hypothesis["reason"]
    ranked = out["opportunities"]
    assert out["top_opportunity"] == ranked[0]
    assert [o["score"] for o in ranked] == sorted((o["score"] for o in ranked), reverse=True)
    for o in ranked:
        assert o["score"] == pytest.approx(o["reach"] * o["impact"] * o["confidence"] / o["effort"])
    # the ranked items are kept in the backlog, linked to the theme book and question
    fn = Fieldnote(Settings(home=demo[0]))
    try:
        stored = OpportunityStore(fn.repository).list("demo")
    finally:
        fn.close()
    assert [o.name for o in stored][: len(ranked)] == [o["name"] for o in ranked]
    assert all(o.book == "demo" and o.question_id == out["question"]["id"] for o in stored)
    assert stored[0].score == pytest.approx(ranked[0]["score"])
    verdict = out["release_verdict"]
    assert verdict["release"] == "2.4.1" and verdict["verdict"] == "improved"
    assert verdict["after"]["rate"] > verdict["before"]["rate"]
    mobile = {s["value"]: s for s in verdict["by_platform"]}
    for platform in ("ios", "android"):
        assert mobile[platform]["significant"]
        assert mobile[platform]["rate_after"] > 2 * mobile[platform]["rate_before"]


@pytest.mark.slow
def test_the_study_invites_mobile_users_who_dropped_at_the_integration_step(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    home, out = demo
    invited = [i["distinct_id"] for i in out["invitations"]["to"]]
    assert len(invited) == len(set(invited)) > 0
    listed = ", ".join(f"'{d}'" for d in invited)
    release = next(r for r in out["releases"] if r["planted_problem"])
    con = duckdb.connect(str(home / "events.duckdb"), read_only=True)
    try:
        rows = con.execute(
            f"""
            SELECT distinct_id,
                   bool_and(properties->>'platform' IN ('ios', 'android'))
                       FILTER (WHERE event = 'integration_step_viewed'),
                   min(timestamp) FILTER (WHERE event = 'integration_step_viewed'),
                   count(*) FILTER (WHERE event = 'connect_integration')
            FROM events WHERE project = 'demo' AND distinct_id IN ({listed})
            GROUP BY distinct_id
            """
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == len(invited)
    for distinct_id, mobile, reached_at, connected in rows:
        assert mobile, distinct_id
        assert reached_at is not None and reached_at.isoformat() >= release["at"][:10]
        assert connected == 0, distinct_id


@pytest.mark.slow
def test_the_admin_access_theme_comes_first_and_its_fix_ranks_first(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    _, out = demo
    top = out["top_theme"]
    assert _ADMIN.search(top["label"]), top["label"]
    assert top["funnel_step"]["label"] == "integration_step_viewed → connect_integration"
    at_step = top["behavioural_effect"]["vs_reached_step"]
    assert at_step["p_value"] < 0.05 and at_step["difference_ci"][1] < 0
    assert out["hypothesis"]["status"] == "supported"
    assert _ADMIN.search(out["top_opportunity"]["name"])
