"""Hypotheses over HTTP on a live server: roles, audit, 404 vs 422, no half writes."""

from __future__ import annotations

from pathlib import Path

import httpx

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository import ResearchStore
from tests.conftest import start_server
from tests.web.accounts_support import add_user, make_token


def _client(url: str, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=30)


def test_hypotheses_api(home: Path) -> None:
    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    qid = (
        ResearchStore(fn.repository)
        .open_or_update("default", anomaly_key=None, text="Why?", evidence={})[0]
        .id
    )
    ResearchStore(fn.repository).mark_diagnosed("default", qid)
    fn.close()
    add_user(home, "res@example.org", "researcher", project="default")
    add_user(home, "view@example.org", "viewer", project="default")
    _, res_token = make_token(home, "res@example.org")
    _, view_token = make_token(home, "view@example.org")
    server = start_server(home)
    base = f"http://127.0.0.1:{server.port}/api/projects/default"
    try:
        res, viewer, anon = _client(base, res_token), _client(base, view_token), _client(base, None)
        assert anon.get("/hypotheses").status_code == 401
        made = res.post(f"/questions/{qid}/hypotheses", json={"text": "Admins lack access"})
        assert made.status_code == 201, made.text
        hid = made.json()["id"]
        denied = viewer.post(f"/hypotheses/{hid}/status", json={"status": "supported"})
        assert denied.status_code == 403
        linked = res.post(
            f"/hypotheses/{hid}/evidence",
            json={"kind": "metric", "ref": "activation:7d", "excerpt": "-12 pts"},
        )
        assert linked.status_code == 200 and linked.json()["evidence"][0]["kind"] == "metric"
        moved = res.post(f"/hypotheses/{hid}/status", json={"status": "refuted", "reason": "r"})
        assert moved.json()["history"][-1]["to"] == "refuted"
        assert moved.json()["history"][-1]["actor"].endswith("res@example.org")
        assert res.post(f"/hypotheses/{hid}/status", json={"status": "yes"}).status_code == 422
        assert res.post("/hypotheses/999/status", json={"status": "open"}).status_code == 404
        assert res.post("/questions/999/hypotheses", json={"text": "x"}).status_code == 404
        bad = res.post(f"/hypotheses/{hid}/evidence", json={"kind": "vibe", "ref": "x"})
        assert bad.status_code == 422 and "evidence kind 'vibe'" in bad.text
        listed = viewer.get("/hypotheses", params={"status": "refuted"}).json()["hypotheses"]
        assert [h["id"] for h in listed] == [hid] and len(listed[0]["evidence"]) == 1
        assert viewer.get("/hypotheses", params={"status": "x"}).status_code == 422
        weeks = viewer.get("/time-to-diagnosis").json()["weeks"]
        assert [w["count"] for w in weeks] == [1]
    finally:
        server.stop()
    fn = Fieldnote(Settings(home=home))
    try:
        actions = [e.action for e in fn.audit.entries(project="default")]
    finally:
        fn.close()
    assert actions.count("hypothesis.status") == 1 and "hypothesis.add" in actions
