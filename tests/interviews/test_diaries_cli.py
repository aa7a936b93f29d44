"""``fieldnote diaries`` end to end through the real console entry point, with prompts
going to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
from pathlib import Path

from fieldnote.repository import Repository
from fieldnote.repository._diary_entries import DiaryEntries
from tests.conftest import run_cli
from tests.interviews.diary_support import Inbox, inbox, link_of

__all__ = ["inbox"]

DEFINITION = {
    "prompts": [
        "Tell me about the last time you used Pulseboard on your phone today.",
        "Would you use a dark mode?",
    ],
    "schedule": {"kind": "daily", "at": "09:30", "days": 5},
    "answer_within_hours": 12,
}


def _json(home: Path, *args: str, env: dict[str, str] | None = None, ok: bool = True) -> dict:  # type: ignore[type-arg]
    proc = run_cli(home, *args, "--json", check=ok, env=env)
    if not ok:
        assert proc.returncode == 1
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_create_enrol_run_due_and_show(tmp_path: Path, inbox: Inbox) -> None:
    home = tmp_path / "home"
    spec = tmp_path / "diary.json"
    spec.write_text(json.dumps(DEFINITION))
    consent = tmp_path / "consent.json"
    consent.write_text(
        json.dumps(
            {
                "recording": "Your entries are stored.",
                "data_use": "Read by the product team for research only.",
                "contact": "One short email prompt each morning for five days.",
            }
        )
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({**DEFINITION, "schedule": {"kind": "daily", "at": "9.30", "days": 5}})
    )
    refused = _json(
        home, "diaries", "create", "Morning check-in", "--definition", str(bad), ok=False
    )
    assert (
        refused["error"]
        == f"{bad}: schedule.at: expected a clock time HH:MM such as 19:00, got '9.30'"
    )
    made = _json(home, "diaries", "create", "Morning check-in", "--definition", str(spec))
    assert made["name"] == "Morning check-in"
    assert {i["kind"] for i in made["prompt_issues"] if i["prompt"] == 1} >= {"hypothetical"}
    assert _json(
        home, "diaries", "enrol", "Morning check-in", "u_81", "--email", "kai@example.net", ok=False
    )["error"].startswith("consent: no consent text")
    run_cli(home, "participants", "consent-text", str(consent))
    bad = _json(
        home,
        "diaries",
        "enrol",
        "Morning check-in",
        "u_81",
        "--email",
        "kai@example.net",
        "--timezone",
        "Berlin",
        ok=False,
    )
    assert bad["error"] == "timezone: 'Berlin' is not an IANA time zone such as Europe/Berlin"
    enrolled = _json(
        home,
        "diaries",
        "enrol",
        "Morning check-in",
        "u_81",
        "--email",
        "kai@example.net",
        "--timezone",
        "Asia/Tokyo",
        "--name",
        "Kai Tanaka",
    )
    assert len(enrolled["prompts"]) == 5 and enrolled["prompts"][0].endswith("00:30:00+00:00")
    first = enrolled["prompts"][0]

    env = {
        "FIELDNOTE_SMTP_HOST": "127.0.0.1",
        "FIELDNOTE_SMTP_PORT": str(inbox.port),
        "FIELDNOTE_PUBLIC_URL": "https://diary.example.org",
    }
    no_smtp = _json(
        home,
        "diaries",
        "run-due",
        "--now",
        first,
        ok=False,
        env={"FIELDNOTE_PUBLIC_URL": "https://x.example"},
    )
    assert "FIELDNOTE_SMTP_HOST" in no_smtp["error"]
    sent = _json(home, "diaries", "run-due", "--now", first, env=env)
    assert [(s["participant"], s["seq"]) for s in sent["sent"]] == [("u_81", 0)]
    assert _json(home, "diaries", "run-due", "--now", first, env=env)["sent"] == []
    assert len(inbox.messages) == 1
    _, token = link_of(inbox.messages[0])
    repo = Repository(f"sqlite:///{home / 'repository.sqlite'}")
    DiaryEntries(repo).answer(
        token, "Checked the dashboard while waiting for coffee; the funnel chart loaded slowly."
    )
    repo.dispose()

    shown = _json(home, "diaries", "show", "Morning check-in", "--now", first)
    [kai] = shown["participants"]
    assert kai["participant"] == "u_81" and kai["counts"]["answered"] == 1
    assert kai["counts"]["upcoming"] == 4 and kai["missed"] == []
    transcript = _json(home, "transcripts", "show", kai["interview_id"])
    assert [u["role"] for u in transcript["utterances"]] == ["interviewer", "participant"]
    assert all("Kai" not in u["speaker"] for u in transcript["utterances"])
    listed = _json(home, "diaries", "show")
    assert [d["name"] for d in listed["diaries"]] == ["Morning check-in"]
    assert (
        _json(home, "diaries", "show", "Nope", ok=False)["error"]
        == "this project has no diary named 'Nope'"
    )
