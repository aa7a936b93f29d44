"""The widget's server side against a live server: events → rule → invitation; only
the person asked about is ever answered about; actions, consent and withdrawal."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import LiveServer
from tests.web.intercept_support import (
    RULE,
    admin,
    pending,
    send,
    set_up,
    wait_for_invitation,
    write_key,
)


def child_commands(pid: int) -> list[str]:
    """Command lines of the live child processes of ``pid`` (Linux /proc)."""
    found: list[str] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline")
            if cmdline.exists():
                found.append(cmdline.read_bytes().replace(b"\0", b" ").decode())
    return found


def respond(
    server: LiveServer, person: str, inv: int, action: str, **extra: object
) -> httpx.Response:
    body = {"token": write_key(server), "distinct_id": person, "invitation_id": inv}
    body.update(action=action, **extra)
    return httpx.post(
        f"{server.url}/intercept/v1/respond",
        content=httpx.Request("POST", "/", json=body).content,
        headers={"Content-Type": "text/plain"},
        timeout=30,
    )


def test_rule_match_invites_only_the_person_and_answers_only_about_them(
    live_server: LiveServer,
) -> None:
    set_up(live_server)
    send(live_server, "alice", "kyc_failed", platform="mobile", **{"$session_id": "s1"})
    send(live_server, "bob", "kyc_failed", platform="mobile")
    send(live_server, "carol", "kyc_failed", platform="web")
    send(live_server, "carol", "kyc_failed", platform="web")  # filtered out: web
    send(live_server, "alice", "kyc_failed", platform="mobile", **{"$session_id": "s1"})
    inv = wait_for_invitation(live_server, "alice")
    assert inv["offer"]["title"].startswith("Help us") and inv["consent"]["version"] == 1
    # It was the matcher's child process that found it, not the in-process fallback.
    assert "continues inside the server" not in live_server.log_path.read_text()
    assert any("multiprocessing" in cmd for cmd in child_commands(live_server.process.pid))
    assert set(inv) == {"id", "survey_id", "status", "offer", "consent"}  # no person data
    assert pending(live_server, "bob").json() == {"invitation": None}
    assert pending(live_server, "carol").json() == {"invitation": None}
    reply = pending(live_server, "alice", key="not-a-key")
    assert reply.status_code == 401 and "write key" in reply.json()["error"]
    assert reply.headers["access-control-allow-origin"] == "*"
    # Another person cannot act on alice's invitation, nor learn that it exists.
    stolen = respond(live_server, "bob", inv["id"], "decline")
    assert stolen.status_code == 404 and "no invitation" in stolen.json()["error"]
    assert respond(live_server, "alice", inv["id"], "seen").json() == {"status": "seen"}
    assert respond(live_server, "alice", inv["id"], "accept").json() == {"status": "accepted"}
    bad = respond(
        live_server,
        "alice",
        inv["id"],
        "consent",
        consent_text_id=inv["consent"]["id"],
        parts={"recording": True},
    )
    assert bad.status_code == 422 and "data_use" in bad.json()["error"]
    ok = respond(
        live_server,
        "alice",
        inv["id"],
        "consent",
        consent_text_id=inv["consent"]["id"],
        parts={"data_use": True},
    )
    assert ok.json() == {"status": "consented", "consent_version": 1}
    done = respond(live_server, "alice", inv["id"], "complete", answers=["Upload ID", "Camera"])
    assert done.json() == {"status": "completed"}
    assert pending(live_server, "alice").json() == {"invitation": None}
    with admin(live_server) as client:
        listed = client.get("/api/projects/default/invitations").json()
        records = client.get("/api/projects/default/participants/alice/consent").json()
    assert [i["answers"] for i in listed["invitations"]] == [["Upload ID", "Camera"]]
    assert listed["funnel"] == {
        "invited": 1,
        "seen": 1,
        "accepted": 1,
        "consented": 1,
        "completed": 1,
    }
    assert records["records"][0]["version"] == 1


def test_bad_input_is_refused_with_the_field_named(live_server: LiveServer) -> None:
    with admin(live_server) as client:
        bad = client.post(
            "/api/projects/default/intercepts",
            json={"name": "x", "definition": {"event": "e", "offer": {"title": "t"}}},
        )
        assert bad.status_code == 422 and bad.json()["error"].startswith("offer")
        text = client.post(
            "/api/projects/default/consent-texts",
            json={"recording": "", "data_use": "d", "contact": "c"},
        )
        assert text.status_code == 422 and text.json()["error"].startswith("recording")
    anonymous = httpx.post(
        f"{live_server.url}/api/projects/default/intercepts",
        json={"name": "x", "definition": {}},
        timeout=30,
    )
    assert anonymous.status_code == 401
    junk = httpx.post(f"{live_server.url}/intercept/v1/respond", content=b"{nope", timeout=30)
    assert junk.status_code == 400
    wrong = respond(live_server, "alice", 1, "explode")
    assert wrong.status_code == 422 and wrong.json()["error"].startswith("action")


def test_decline_and_withdrawal_stop_further_invitations(live_server: LiveServer) -> None:
    set_up(live_server, {**RULE, "min_count": 1})
    send(live_server, "dora", "kyc_failed", platform="mobile")
    inv = wait_for_invitation(live_server, "dora")
    assert respond(live_server, "dora", inv["id"], "decline").json() == {"status": "declined"}
    assert pending(live_server, "dora").json() == {"invitation": None}
    send(live_server, "erin", "kyc_failed", platform="mobile")
    wait_for_invitation(live_server, "erin")
    with admin(live_server) as client:
        gone = client.post("/api/projects/default/participants/erin/withdraw")
        assert gone.json()["action"] == "withdrawn"
        statuses = {
            i["distinct_id"]: i["status"]
            for i in client.get("/api/projects/default/invitations").json()["invitations"]
        }
    assert statuses == {"dora": "declined", "erin": "withdrawn"}
    assert pending(live_server, "erin").json() == {"invitation": None}
    send(live_server, "dora", "kyc_failed", platform="mobile")
    send(live_server, "erin", "kyc_failed", platform="mobile")
    send(live_server, "fay", "kyc_failed", platform="mobile")
    wait_for_invitation(live_server, "fay")  # later than dora's and erin's events
    assert pending(live_server, "dora").json() == {"invitation": None}
    assert pending(live_server, "erin").json() == {"invitation": None}
