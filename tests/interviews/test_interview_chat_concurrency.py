"""Many interviews at once against a real ``fieldnote serve``: 20 concurrent
participants all finish with zero errors and complete stored transcripts, and two
simultaneous answers to one session are never both taken."""

from __future__ import annotations

import asyncio
import json

import httpx

from bench._chat_load import create_sessions, run_load
from fieldnote.home import Home
from tests.conftest import LiveServer


def _admin_token(server: LiveServer) -> str:
    info = Home.at(server.home).running_server()
    assert info is not None
    return info.admin_token


def test_twenty_concurrent_interviews(live_server: LiveServer) -> None:
    live_server.cli("guides", "new", "Load", "--minutes", "15")
    run = asyncio.run(
        run_load(live_server.url, _admin_token(live_server), project="default", guide="Load", n=20)
    )
    assert run.errors == []
    assert [s.status for s in run.sessions] == ["completed"] * 20
    # The opening and the first question, then one moderator turn after every answer.
    assert all(s.answers >= 5 and s.turns == 2 * s.answers + 2 for s in run.sessions), [
        (s.answers, s.turns) for s in run.sessions
    ]
    listed = json.loads(live_server.cli("transcripts", "list", "--json").stdout)["interviews"]
    chats = [i for i in listed if i["format"] == "chat"]
    assert len(chats) == 20
    turns = {f"Load Participant {i}": s.turns for i, s in enumerate(run.sessions)}
    for chat in chats[:4]:  # each raw transcript holds every turn its participant saw
        raw = json.loads(
            live_server.cli("transcripts", "show", chat["id"], "--raw", "--json").stdout
        )
        assert len(raw["utterances"]) == turns[raw["participant"]]


async def _race(url: str, token: str, texts: list[str], seq: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return list(
            await asyncio.gather(
                *(
                    client.post(f"/api/i/{token}/answer", json={"text": t, "seq": seq})
                    for t in texts
                )
            )
        )


def test_simultaneous_answers_to_one_session(live_server: LiveServer) -> None:
    live_server.cli("guides", "new", "Race", "--minutes", "15")

    async def make() -> str:
        async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as client:
            (token,) = await create_sessions(
                client, _admin_token(live_server), project="default", guide="Race", n=1
            )
            return token

    token = asyncio.run(make())
    url = live_server.url
    assert httpx.post(f"{url}/api/i/{token}/consent", json={"agree": True}).status_code == 200
    for seq in range(3):
        texts = [
            f"Answer {seq} from tab {i}: I usually export it to a spreadsheet." for i in range(6)
        ]
        replies = asyncio.run(_race(url, token, texts, seq))
        assert all(r.status_code in (200, 409) for r in replies), [r.text for r in replies]
        view = httpx.get(f"{url}/api/i/{token}").json()
        taken = [t["text"] for t in view["turns"] if t["role"] == "participant"]
        # Exactly one of the six answers was taken for this seq, never two.
        assert len(taken) == seq + 1
        assert sum(taken[seq] == t for t in texts) == 1
        for r in replies:
            if r.status_code == 200:
                assert r.json()["answers"] == seq + 1
                assert r.json()["turns"] == view["turns"]
    assert "Traceback" not in live_server.log_path.read_text()
