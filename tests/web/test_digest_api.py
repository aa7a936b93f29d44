"""``GET /api/projects/{p}/digest`` on a live server: the JSON of the weekly digest a
viewer reads on the page (this week's anomaly and its open question), for any ISO
week; a bad week is a 422 naming the field; anonymous callers get 401 and members of
another project nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.monitors import Week
from tests.conftest import start_server
from tests.monitors._monitor_seed import seed_monitor_events
from tests.web.accounts_support import add_project, add_user, make_token, sign_in


def test_digest_api(home: Path) -> None:
    seed_monitor_events(home)
    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    fn.close()
    add_project(home, "other")
    add_user(home, "view@example.org", "viewer", project="default")
    add_user(home, "elsewhere@example.org", "admin", project="other")
    _, outsider = make_token(home, "elsewhere@example.org")
    server = start_server(home, env={"FIELDNOTE_MONITOR_INTERVAL_SECONDS": "0"})
    base = f"http://127.0.0.1:{server.port}"
    try:
        created = server.cli(
            "monitors", "create", "signups", "--metric", "events", "--event", "signup",
            "--rule", "swing", "--percent", "20", "--json",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        result = json.loads(server.cli("monitors", "run", "--json").stdout)["results"][0]
        assert result["fired"]
        viewer = sign_in(base, "view@example.org")
        week = Week.of(datetime.now(UTC).date())

        now = viewer.http.get("/api/projects/default/digest")
        assert now.status_code == 200 and now.headers["content-type"] == "application/json"
        body = now.json()
        assert body["project"] == "default" and body["week"] == str(week)
        assert body["from"] == week.start.isoformat() and body["to"] == week.end.isoformat()
        [anomaly] = body["anomalies"]
        assert anomaly["monitor"] == "signups"
        assert anomaly["reason"] == result["signal"]["reason"]
        [question] = body["open_questions"]
        assert question["text"].startswith("We see daily signup events down 50%")
        assert anomaly["question_id"] == question["id"] and question["age_days"] >= 0
        assert body["interviews"] == {"count": 0, "ids": []}
        # The same digest the CLI prints for that week.
        cli = json.loads(server.cli("digest", "--week", str(week), "--json").stdout)
        texts = [(q["id"], q["text"]) for q in cli["open_questions"]]
        assert texts == [(q["id"], q["text"]) for q in body["open_questions"]]

        quiet = viewer.http.get("/api/projects/default/digest", params={"week": "2020-W01"})
        assert quiet.status_code == 200
        assert quiet.json()["anomalies"] == [] and quiet.json()["open_questions"] == []

        for bad, says in (("2026-W60", "week: 2026 has no ISO week 60"),
                          ("2026-10", "week: expected YYYY-Www")):  # fmt: skip
            refused = viewer.http.get("/api/projects/default/digest", params={"week": bad})
            assert refused.status_code == 422 and refused.json()["error"].startswith(says)

        assert httpx.get(f"{base}/api/projects/default/digest", timeout=30).status_code == 401
        foreign = httpx.get(
            f"{base}/api/projects/default/digest",
            headers={"Authorization": f"Bearer {outsider}"},
            timeout=30,
        )
        assert foreign.status_code in (403, 404) and "open_questions" not in foreign.text
    finally:
        server.stop()
