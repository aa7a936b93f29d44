"""Search over HTTP on a live server: behind auth, redacted, 422 on bad filters."""

from __future__ import annotations

from pathlib import Path

import httpx

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.interviews import Interview, Role, Speaker, Utterance
from fieldnote.repository import InterviewStore
from tests.conftest import start_server
from tests.web.accounts_support import add_user, make_token


def test_search_api(home: Path) -> None:
    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    iv = Interview(
        id="d" * 32,
        source="test",
        format="text",
        speakers=(Speaker(name="Ana", role=Role.PARTICIPANT, reason="t"),),
        utterances=(
            Utterance(index=0, speaker="Ana", role=Role.PARTICIPANT, text="Hi", start=0.0),
            Utterance(
                index=1,
                speaker="Ana",
                role=Role.PARTICIPANT,
                text="Sync broke, call Ana on +1 415 555 0100",
                start=42.5,
            ),
        ),
    )
    InterviewStore(fn.repository).save_many("default", [iv])
    fn.close()
    add_user(home, "res@example.org", "researcher", project="default")
    add_user(home, "view@example.org", "viewer", project="default")
    _, res_token = make_token(home, "res@example.org")
    _, view_token = make_token(home, "view@example.org")
    server = start_server(home)
    base = f"http://127.0.0.1:{server.port}/api/projects/default"
    try:
        res = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {res_token}"})
        viewer = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {view_token}"})
        assert httpx.get(f"{base}/search", params={"q": "sync"}).status_code == 401
        assert viewer.post("/search/reindex").status_code == 403
        assert res.post("/search/reindex").json() == {"indexed": 2}
        hits = viewer.get("/search", params={"q": "sync"}).json()["hits"]
        assert [(h["interview_id"], h["start_s"]) for h in hits] == [("d" * 32, 42.5)]
        assert "555" not in hits[0]["text"] and "Ana" not in hits[0]["text"]
        assert viewer.get("/search", params={"q": "sync", "kind": "x"}).status_code == 422
        assert viewer.get("/search", params={"q": "sync", "since": "soon"}).status_code == 422
        assert viewer.get("/search", params={"q": ""}).status_code == 422
    finally:
        server.stop()
