"""An AI-moderated interview over real HTTP against ``fieldnote serve``: consent first,
answers with sequence numbers, a dropped reply re-sent, the transcript stored."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from fieldnote.home import Home
from tests.conftest import LiveServer, start_server
from tests.interviews.llm_server import recorded_llm

ANSWERS = [
    "None, go ahead.",
    "I usually check the numbers on my phone on the train.",
    "It was so frustrating, the HubSpot step said I need an admin and I'm not one.",
    "I sent a screenshot to my manager and did it later on the laptop.",
]


def _admin(server: LiveServer) -> httpx.Client:
    info = Home.at(server.home).running_server()
    assert info is not None
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {info.admin_token}"}, timeout=30
    )


def test_full_interview_with_a_dropped_reply(live_server: LiveServer) -> None:
    live_server.cli("guides", "new", "Chat", "--minutes", "15")
    with _admin(live_server) as admin:
        assert (
            httpx.post(
                f"{live_server.url}/api/projects/default/interview-sessions", json={"guide": "Chat"}
            ).status_code
            == 401
        )
        made = admin.post(
            "/api/projects/default/interview-sessions",
            json={"guide": "Chat", "participant": "Maya Osei"},
        )
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        assert (
            admin.post(
                "/api/projects/default/interview-sessions", json={"guide": "Nope"}
            ).status_code
            == 404
        )

    participant = httpx.Client(base_url=live_server.url, timeout=30)
    page = participant.get(f"/i/{token}")
    assert page.status_code == 200 and "Research interview" in page.text
    assert participant.get("/i/not-a-token").status_code == 404
    view = participant.get(f"/api/i/{token}").json()
    assert (view["status"], view["turns"]) == ("invited", [])
    early = participant.post(f"/api/i/{token}/answer", json={"text": "hi", "seq": 0})
    assert early.status_code == 409 and "consent comes first" in early.json()["error"]

    view = participant.post(f"/api/i/{token}/consent", json={"agree": True}).json()
    assert view["status"] == "consented" and view["turns"][0]["role"] == "interviewer"
    assert participant.post(f"/api/i/{token}/consent", json={"agree": True}).json() == view

    first = participant.post(f"/api/i/{token}/answer", json={"text": ANSWERS[0], "seq": 0}).json()
    # The reply was lost; the page re-sends the same answer with the same seq.
    again = participant.post(f"/api/i/{token}/answer", json={"text": ANSWERS[0], "seq": 0}).json()
    assert again == first and first["answers"] == 1
    skip = participant.post(f"/api/i/{token}/answer", json={"text": "x", "seq": 5})
    assert skip.status_code == 409

    # A new connection (reopened link) sees the whole conversation so far.
    resumed = httpx.get(f"{live_server.url}/api/i/{token}", timeout=30).json()
    assert resumed["turns"] == first["turns"]

    seq, view = 1, first
    while not view["done"]:
        text = ANSWERS[seq % len(ANSWERS)]
        view = participant.post(f"/api/i/{token}/answer", json={"text": text, "seq": seq}).json()
        seq += 1
        assert seq < 80
    assert view["status"] == "completed"
    probes = [t["text"] for t in view["turns"] if t["role"] == "interviewer"]
    assert "What did that mean for your day?" in probes
    assert "How did you get around it?" in probes

    listed = json.loads(live_server.cli("transcripts", "list", "--json").stdout)["interviews"]
    (chat,) = [i for i in listed if i["format"] == "chat"]
    shown = json.loads(live_server.cli("transcripts", "show", chat["id"], "--json").stdout)
    assert shown["participant"] == "[PARTICIPANT]"
    raw = json.loads(live_server.cli("transcripts", "show", chat["id"], "--raw", "--json").stdout)
    assert raw["participant"] == "Maya Osei"
    assert len(raw["utterances"]) == len(view["turns"])
    done = participant.post(f"/api/i/{token}/answer", json={"text": "more", "seq": seq})
    assert done.status_code == 409

    report = json.loads(live_server.cli("transcripts", "report", "--json").stdout)
    assert report["interviews"] == 1
    assert report["probes"]["emotion"] >= 1 and report["probes"]["workaround"] >= 1
    assert set(report["section_minutes"]) <= {"intro", "context", "problem", "agnostic", "wrapup"}


def test_declining_records_nothing(live_server: LiveServer) -> None:
    live_server.cli("guides", "new", "Chat")
    with _admin(live_server) as admin:
        token = admin.post(
            "/api/projects/default/interview-sessions", json={"guide": "Chat"}
        ).json()["token"]
    view = httpx.post(
        f"{live_server.url}/api/i/{token}/consent", json={"agree": False}, timeout=30
    ).json()
    assert view["status"] == "declined" and view["turns"] == []
    late = httpx.post(f"{live_server.url}/api/i/{token}/consent", json={"agree": True}, timeout=30)
    assert late.status_code == 409


def test_llm_moderated_session_over_http(home: Path) -> None:
    """``fieldnote serve`` configured with FIELDNOTE_LLM_* talks to the recorded server."""
    with recorded_llm() as llm:
        server = start_server(
            home,
            env={"FIELDNOTE_LLM_BASE_URL": llm.url, "FIELDNOTE_LLM_MODEL": "qwen2.5:3b-instruct"},
        )
        try:
            server.cli("guides", "new", "Chat")
            with _admin(server) as admin:
                token = admin.post(
                    "/api/projects/default/interview-sessions",
                    json={"guide": "Chat", "moderator": "llm"},
                ).json()["token"]
            base = f"{server.url}/api/i/{token}"
            httpx.post(f"{base}/consent", json={"agree": True}, timeout=30).raise_for_status()
            view = httpx.post(
                f"{base}/answer", json={"text": ANSWERS[2], "seq": 0}, timeout=30
            ).json()
            assert view["turns"][-1]["text"] == (
                "What happened right after the screen asked for an admin?"
            )
            assert len(llm.requests) == 1
        finally:
            server.stop()
