"""Study started and diagnosed, on the question page (a live server) and from the CLI:
researchers mark them (CSRF, audited), each time is kept once, viewers only read, and a
study that is not the question's is refused; the study shows its proposed tier mix."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import LiveServer, run_cli, start_server
from tests.web.accounts_support import sign_in
from tests.web.question_actions_support import MONITOR, seed_question_home

TODAY: list[date] = []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("question-actions") / "home"
    TODAY.append(seed_question_home(home).date())
    run_cli(home, *MONITOR)
    live = start_server(home, env={"FIELDNOTE_MONITOR_INTERVAL_SECONDS": "0"})
    assert json.loads(live.cli("monitors", "run", "--json").stdout)["results"][0]["fired"]
    yield live
    live.stop()


def _question(server: LiveServer) -> dict[str, Any]:
    listed = json.loads(server.cli("questions", "list", "--json").stdout)
    (question,) = listed["questions"]
    out: dict[str, Any] = question
    return out


def test_the_study_shows_its_tier_mix_from_the_segments_users(server: LiveServer) -> None:
    q = _question(server)
    (study,) = q["studies"]
    tiers = study["plan"]["tiers"]
    assert tiers["people"] > 0 and tiers["as_of"] == (TODAY[0] - timedelta(days=1)).isoformat()
    assert tiers["available"]["daily"] > 0 and tiers["available"]["occasional"] > 0
    assert sum(tiers["available"].values()) == tiers["people"]
    assert study["plan"]["mix"] == tiers["proposed"]
    assert sum(study["plan"]["mix"].values()) == min(6, tiers["people"])
    shown = run_cli(server.home, "questions", "show", str(q["id"])).stdout
    assert "segment users by tier:" in shown and "mix:" in shown
    viewer = sign_in(server.url, "viewer@example.com")
    page = viewer.http.get(f"/projects/default/questions/{q['id']}")
    assert page.status_code == 200 and f'id="study-{study["id"]}-tiers"' in page.text


def test_viewers_read_the_timeline_but_cannot_mark_it(server: LiveServer) -> None:
    q = _question(server)
    viewer = sign_in(server.url, "viewer@example.com")
    page = viewer.http.get(f"/projects/default/questions/{q['id']}")
    assert 'id="question-timeline"' in page.text and "Mark diagnosed" not in page.text
    denied = viewer.http.post(
        f"/projects/default/questions/{q['id']}/diagnosed", data={"csrf_token": viewer.csrf}
    )
    assert denied.status_code == 403
    res = sign_in(server.url, "researcher@example.com")
    assert res.http.post(f"/projects/default/questions/{q['id']}/diagnosed").status_code == 403
    wrong = res.http.post(
        f"/projects/default/questions/{q['id']}/study-started",
        data={"study": "999", "csrf_token": res.csrf},
    )
    assert wrong.status_code == 404 and "has no study 999" in wrong.text
    assert _question(server)["diagnosed_at"] is None


def test_mark_started_then_diagnosed_keeps_each_time_once(server: LiveServer) -> None:
    q = _question(server)
    (study,) = q["studies"]
    res = sign_in(server.url, "researcher@example.com")
    page = res.http.get(f"/projects/default/questions/{q['id']}")
    assert f"Mark study #{study['id']} started" in page.text
    started = res.http.post(
        f"/projects/default/questions/{q['id']}/study-started",
        data={"study": str(study["id"]), "csrf_token": res.csrf},
    )
    assert started.status_code == 303
    first = _question(server)["studies"][0]["started_at"]
    assert first
    # again from the CLI: the start time stays the first one
    again = json.loads(
        run_cli(server.home, "questions", "start-study", str(q["id"]), "--json").stdout
    )
    assert again["started_at"] == first and again["status"] == "started"
    done = res.http.post(
        f"/projects/default/questions/{q['id']}/diagnosed", data={"csrf_token": res.csrf}
    )
    assert done.status_code == 303
    after = _question(server)
    assert after["status"] == "diagnosed" and after["diagnosed_at"]
    assert after["time_to_diagnosis_hours"] is not None
    page = res.http.get(f"/projects/default/questions/{q['id']}")
    assert 'id="time-to-diagnosis"' in page.text and "Mark diagnosed" not in page.text
    assert not re.search(r"Mark study #\d+ started", page.text)
    audit = json.loads(server.cli("audit", "--json").stdout)["entries"]
    actions = {(e["action"], e["target"]) for e in audit}
    assert ("study.start", f"study:{study['id']}") in actions
    assert ("question.diagnosed", f"question:{q['id']}") in actions
    cli = json.loads(run_cli(server.home, "questions", "diagnosed", str(q["id"]), "--json").stdout)
    assert cli["diagnosed_at"] == after["diagnosed_at"]
    missing = run_cli(server.home, "questions", "start-study", "999", "--json", check=False)
    assert missing.returncode != 0 and "no question 999" in json.loads(missing.stdout)["error"]
