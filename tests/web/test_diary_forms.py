"""The researcher's diary forms on a live server, signed in like a browser (cookie
session, form CSRF token): a researcher creates a diary from the list page and enrols
a participant from its page; a wrong form comes back 422 with the message and the
values typed, nothing written; no CSRF token is a 403; a viewer cannot post; both
writes are audited."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, start_server
from tests.web.accounts_support import add_user, sign_in

FORM = {
    "name": "Evening check-ins",
    "prompts": "Tell me about the last time you opened the dashboard today.\n"
    "What happened right after that?",
    "schedule_kind": "daily",
    "at": "19:00",
    "days": "5",
    "hours": "",
    "answer_within_hours": "12",
    "study_id": "",
}


def test_create_and_enrol_from_the_pages(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = start_server(home)
    try:
        consent = tmp_path / "consent.json"
        consent.write_text(
            json.dumps(
                {
                    "recording": "Your written entries are stored.",
                    "data_use": "Read by the team for research only.",
                    "contact": "Short prompts by email during the study.",
                }
            )
        )
        run_cli(home, "participants", "consent-text", str(consent))
        add_user(home, "res@example.org", "researcher", project="default")
        add_user(home, "view@example.org", "viewer", project="default")
        res = sign_in(server.url, "res@example.org")
        listing = res.http.get("/projects/default/diaries")
        assert listing.status_code == 200 and 'id="diary-create"' in listing.text

        no_csrf = res.http.post("/projects/default/diaries", data=FORM)
        assert no_csrf.status_code == 403
        bad = res.http.post(
            "/projects/default/diaries", data={**FORM, "at": "7pm", "csrf_token": res.csrf}
        )
        assert bad.status_code == 422 and "schedule.at: expected a clock time" in bad.text
        assert 'value="Evening check-ins"' in bad.text  # what was typed comes back
        bad_days = res.http.post(
            "/projects/default/diaries", data={**FORM, "days": "five", "csrf_token": res.csrf}
        )
        assert bad_days.status_code == 422 and "days: expected a whole number" in bad_days.text
        made = res.http.post("/projects/default/diaries", data={**FORM, "csrf_token": res.csrf})
        assert made.status_code == 303
        assert made.headers["location"] == "/projects/default/diaries/Evening%20check-ins"
        shown = json.loads(server.cli("diaries", "show", "Evening check-ins", "--json").stdout)
        assert shown["diary"]["definition"]["schedule"] == {
            "kind": "daily",
            "at": "19:00",
            "days": 5,
        }
        assert shown["diary"]["definition"]["answer_within_hours"] == 12

        page = res.http.get(made.headers["location"])
        assert page.status_code == 200 and 'id="diary-enrol"' in page.text
        enrol_url = "/projects/default/diaries/Evening%20check-ins/participants"
        person = {
            "distinct_id": "mateo",
            "email": "mateo@example.net",
            "timezone": "America/Bogota",
            "name": "Mateo",
            "csrf_token": res.csrf,
        }
        refused = res.http.post(enrol_url, data={**person, "agree": ["data_use"]})
        assert refused.status_code == 422 and "contact must be agreed" in refused.text
        assert 'value="mateo@example.net"' in refused.text
        wrong_zone = res.http.post(
            enrol_url, data={**person, "timezone": "Bogota", "agree": ["data_use", "contact"]}
        )
        assert wrong_zone.status_code == 422 and "timezone:" in wrong_zone.text
        empty = json.loads(server.cli("diaries", "show", "Evening check-ins", "--json").stdout)
        assert empty["participants"] == []  # nothing half-written

        done = res.http.post(enrol_url, data={**person, "agree": ["data_use", "contact"]})
        assert done.status_code == 303
        after = res.http.get(done.headers["location"])
        assert after.status_code == 200 and "mateo" in after.text
        [mateo] = json.loads(server.cli("diaries", "show", "Evening check-ins", "--json").stdout)[
            "participants"
        ]
        assert mateo["timezone"] == "America/Bogota" and mateo["counts"]["upcoming"] == 5

        viewer = sign_in(server.url, "view@example.org")
        denied = viewer.http.post(
            "/projects/default/diaries", data={**FORM, "name": "Other", "csrf_token": viewer.csrf}
        )
        assert denied.status_code == 403

        audit = json.loads(server.cli("audit", "--project", "default", "--json").stdout)
        writes = sorted(
            (e["action"], e["target"]) for e in audit["entries"] if e["action"].startswith("diary.")
        )
        assert writes == [
            ("diary.create", "diary:Evening check-ins"),
            ("diary.enrol", "diary:Evening check-ins"),
        ]
    finally:
        server.stop()
