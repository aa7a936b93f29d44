"""Creating a diary and enrolling participants through the JSON API of a live server:
researchers only (viewers 403, anonymous 401), 422 naming the field for a bad
definition or enrolment and nothing half-written, 404 for an unknown diary, each
write audited; the enrolled participant shows in the diary's progress."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import run_cli, start_server
from tests.web.accounts_support import add_user, make_token

DEFINITION = {
    "prompts": [
        "Tell me about the last time you checked your numbers on your phone today.",
        "Don't you think the mobile chart is confusing?",
    ],
    "schedule": {"kind": "offsets", "hours": [0, 24, 72]},
    "answer_within_hours": 12,
}


def _consent(home: Path, tmp: Path) -> None:
    text = tmp / "consent.json"
    text.write_text(
        json.dumps(
            {
                "recording": "Your written entries are stored.",
                "data_use": "Read by the Pulseboard team for research only.",
                "contact": "Short prompts by email during the study.",
            }
        )
    )
    run_cli(home, "participants", "consent-text", str(text))


def test_create_and_enrol_over_the_api(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = start_server(home)
    try:
        _consent(home, tmp_path)
        add_user(home, "res@example.org", "researcher", project="default")
        add_user(home, "view@example.org", "viewer", project="default")
        res_id, res_token = make_token(home, "res@example.org")
        actor = f"token:{res_id}:res@example.org"
        _, view_token = make_token(home, "view@example.org")
        res = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {res_token}"}, timeout=30
        )
        viewer = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {view_token}"}, timeout=30
        )
        url = "/api/projects/default/diaries"
        body = {"name": "Phone week", "definition": DEFINITION}

        assert httpx.post(server.url + url, json=body, timeout=30).status_code == 401
        assert viewer.post(url, json=body).status_code == 403

        made = res.post(url, json=body)
        assert made.status_code == 201, made.text
        diary = made.json()
        assert diary["name"] == "Phone week" and diary["created_by"] == actor
        assert diary["definition"]["schedule"] == {"kind": "offsets", "hours": [0, 24, 72]}
        assert {i["prompt"] for i in diary["prompt_issues"]} == {1}  # the leading prompt
        assert "leading" in {i["kind"] for i in diary["prompt_issues"]}

        again = res.post(url, json=body)
        assert again.status_code == 422 and again.json()["error"].startswith("name:")
        bad_at = {
            "prompts": ["Tell me about today."],
            "schedule": {"kind": "daily", "at": "7pm", "days": 3},
        }
        wrong = res.post(url, json={"name": "Evenings", "definition": bad_at})
        assert wrong.status_code == 422 and wrong.json()["error"].startswith("schedule.at:")
        missing = res.post(url, json={"name": "Evenings"})
        assert missing.status_code == 422 and missing.json()["error"].startswith("body.definition:")
        names = [d["name"] for d in res.get(url).json()["diaries"]]
        assert names == ["Phone week"]  # the refused ones left nothing

        enrol = f"{url}/Phone week/participants"
        person = {
            "distinct_id": "joana",
            "email": "joana@example.net",
            "timezone": "Europe/Lisbon",
            "name": "Joana",
        }
        assert viewer.post(enrol, json=person).status_code == 403
        unknown = res.post(f"{url}/Nope/participants", json=person)
        assert unknown.status_code == 404 and "Nope" in unknown.json()["error"]
        for change, says in (
            ({"email": "joana-at-example"}, "email:"),
            ({"timezone": "Lisbon"}, "timezone:"),
            ({"agree": ["data_use"]}, "consent:"),
            ({"agree": ["data_use", "contact", "marketing"]}, "agree:"),
            ({"consent_text_id": 9999}, "consent:"),
        ):
            refused = res.post(enrol, json={**person, **change})
            assert refused.status_code == 422, (change, refused.text)
            assert refused.json()["error"].startswith(says), refused.text
        progress = res.get(f"{url}/Phone week").json()
        assert progress["participants"] == []  # no half-enrolled person

        done = res.post(enrol, json=person)
        assert done.status_code == 201, done.text
        enrolled = done.json()
        assert enrolled["participant"] == "joana" and enrolled["consent_version"] >= 1
        assert len(enrolled["prompts"]) == 3
        twice = res.post(enrol, json=person)
        assert twice.status_code == 422 and "already enrolled" in twice.json()["error"]
        [joana] = res.get(f"{url}/Phone week").json()["participants"]
        assert joana["participant"] == "joana" and joana["timezone"] == "Europe/Lisbon"

        audit = json.loads(server.cli("audit", "--project", "default", "--json").stdout)
        writes = [
            (e["action"], e["target"], e["actor"])
            for e in audit["entries"]
            if e["action"].startswith("diary.")
        ]
        assert sorted(writes) == [
            ("diary.create", "diary:Phone week", actor),
            ("diary.enrol", "diary:Phone week", actor),
        ]
    finally:
        server.stop()
