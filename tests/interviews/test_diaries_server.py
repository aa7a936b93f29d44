"""A diary through ``fieldnote serve``: its scheduler mails the due prompt to a real
SMTP server (aiosmtpd), the link in the email opens the entry page, the entry is
posted through the link and lands as utterances; researchers read progress (audited),
forged links find nothing, and stopping the diary from its link stops the prompts."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from fieldnote.home import Home
from tests.conftest import run_cli, start_server
from tests.interviews.diary_support import Inbox, inbox, link_of

__all__ = ["inbox"]


def prepare(home: Path, tmp_path: Path, hours: list[int], who: list[str]) -> None:
    spec = tmp_path / "diary.json"
    spec.write_text(
        json.dumps(
            {
                "prompts": [
                    "Tell me about the last time you checked your numbers on your phone today.",
                    "What did you do right after that?",
                ],
                "schedule": {"kind": "offsets", "hours": hours},
            }
        )
    )
    consent = tmp_path / "consent.json"
    consent.write_text(
        json.dumps(
            {
                "recording": "Your written entries are stored.",
                "data_use": "Read by the Pulseboard team for research only.",
                "contact": "Short prompts by email during the study.",
            }
        )
    )
    run_cli(home, "participants", "consent-text", str(consent))
    run_cli(home, "diaries", "create", "Phone week", "--definition", str(spec))
    for person in who:
        run_cli(
            home,
            "diaries",
            "enrol",
            "Phone week",
            person,
            "--email",
            f"{person}@example.net",
            "--timezone",
            "Europe/Lisbon",
            "--name",
            person.title(),
        )


def test_serve_mails_the_prompt_and_takes_the_entry(tmp_path: Path, inbox: Inbox) -> None:
    home = tmp_path / "home"
    prepare(home, tmp_path, [0, 72], ["joana"])
    server = start_server(
        home,
        env={
            "FIELDNOTE_SMTP_HOST": "127.0.0.1",
            "FIELDNOTE_SMTP_PORT": str(inbox.port),
            "FIELDNOTE_DIARY_INTERVAL_SECONDS": "1",
            "FIELDNOTE_NOTIFY_EMAIL_FROM": "diary@pulseboard.example",
        },
    )
    try:
        [message] = inbox.wait_for(1)
        assert message["From"] == "diary@pulseboard.example"
        url, token = link_of(message)
        assert url == f"{server.url}/d/{token}"  # no FIELDNOTE_PUBLIC_URL: the server's own

        page = httpx.get(url, timeout=30)
        assert page.status_code == 200 and 'id="entry"' in page.text
        view = httpx.get(f"{server.url}/api/d/{token}", timeout=30).json()
        assert view["status"] == "open" and view["number"] == 1 and view["total"] == 2
        assert set(view) == {"diary", "number", "total", "prompt", "status", "text", "closes_at"}
        empty = httpx.post(f"{server.url}/api/d/{token}/entry", json={"text": ""}, timeout=30)
        assert empty.status_code == 422 and empty.json()["error"].startswith("text:")
        forged = httpx.post(
            f"{server.url}/api/d/forged-token/entry", json={"text": "hi"}, timeout=30
        )
        assert forged.status_code == 404
        entry = "I looked at the signup funnel at lunch; the mobile chart cut off the last step."
        done = httpx.post(f"{server.url}/api/d/{token}/entry", json={"text": entry}, timeout=30)
        assert done.status_code == 200 and done.json()["status"] == "answered"
        other = httpx.post(
            f"{server.url}/api/d/{token}/entry", json={"text": "changed"}, timeout=30
        )
        assert other.status_code == 409

        info = Home.at(home).running_server()
        assert info is not None
        admin = {"Authorization": f"Bearer {info.admin_token}"}
        progress = httpx.get(
            f"{server.url}/api/projects/default/diaries/Phone week", headers=admin, timeout=30
        )
        assert progress.status_code == 200
        [joana] = progress.json()["participants"]
        assert joana["counts"]["answered"] == 1 and joana["counts"]["upcoming"] == 1
        assert (
            httpx.get(
                f"{server.url}/api/projects/default/diaries/Phone week", timeout=30
            ).status_code
            == 401
        )
        page = httpx.get(
            f"{server.url}/projects/default/diaries/Phone%20week", headers=admin, timeout=30
        )
        assert (
            page.status_code == 200 and "joana" in page.text and 'id="diary-progress"' in page.text
        )
        audit = json.loads(server.cli("audit", "--project", "default", "--json").stdout)
        targets = [e["target"] for e in audit["entries"] if e["action"] == "personal_data.read"]
        assert targets.count("diary:Phone week") >= 2

        transcript = json.loads(
            server.cli("transcripts", "show", joana["interview_id"], "--raw", "--json").stdout
        )
        assert [u["text"] for u in transcript["utterances"]][1] == entry
        assert transcript["format"] == "diary" and transcript["source"] == "diary:Phone week"

        stopped = httpx.post(f"{server.url}/api/d/{token}/withdraw", timeout=30)
        assert stopped.json()["status"] == "answered"  # the written entry stays answered
        later = json.loads(
            run_cli(
                home,
                "diaries",
                "run-due",
                "--now",
                "2099-01-01T00:00Z",
                "--json",
                env={"FIELDNOTE_SMTP_HOST": "127.0.0.1", "FIELDNOTE_SMTP_PORT": str(inbox.port)},
            ).stdout
        )
        assert later["sent"] == [] and [s["reason"] for s in later["skipped"]] == ["withdrawn"]
        assert len(inbox.messages) == 1
    finally:
        server.stop()
