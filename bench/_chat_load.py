"""Drive many AI-moderated interviews at once through the participant chat JSON API of a
running ``fieldnote serve`` (shared by ``bench/interviews_load_bench.py`` and the
end-to-end concurrency test).

Each simulated participant is a demo persona (``fieldnote.interviews.demo``) answering
whatever the moderator asked, so answers vary the way real ones do and the rule-based
moderator probes, moves sections and finishes on its own. Everything goes over real
HTTP: staff create the sessions with the admin token, participants use only their link.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import httpx

from fieldnote.interviews.demo._answers import answer_for
from fieldnote.interviews.demo._people import make_persona

FALLBACK = "I usually get stuck there, honestly, and then I try again later on the laptop."
MAX_ANSWERS = 200
MAX_RETRIES = 3


@dataclass
class SessionRun:
    """One participant's interview as the client saw it."""

    token: str
    status: str = "invited"
    answers: int = 0
    turns: int = 0
    errors: list[str] = field(default_factory=list)
    #: Requests re-sent after a dropped connection (as the chat page does, same ``seq``).
    retries: int = 0
    #: Seconds per answer request (the moderator's turn as the participant waits for it).
    turn_seconds: list[float] = field(default_factory=list)


@dataclass
class LoadRun:
    sessions: list[SessionRun]
    seconds: float

    @property
    def errors(self) -> list[str]:
        return [e for s in self.sessions for e in s.errors]

    @property
    def retries(self) -> int:
        return sum(s.retries for s in self.sessions)

    @property
    def turn_seconds(self) -> list[float]:
        return [t for s in self.sessions for t in s.turn_seconds]


async def create_sessions(
    client: httpx.AsyncClient, admin_token: str, *, project: str, guide: str, n: int
) -> list[str]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    tokens: list[str] = []
    for i in range(n):
        made = await client.post(
            f"/api/projects/{project}/interview-sessions",
            json={"guide": guide, "participant": f"Load Participant {i}"},
            headers=headers,
        )
        made.raise_for_status()
        tokens.append(str(made.json()["token"]))
    return tokens


async def _post(
    client: httpx.AsyncClient, run: SessionRun, path: str, body: dict[str, object]
) -> httpx.Response:
    """POST, re-sending after a dropped connection like the chat page does; safe because
    consent and answers (``seq``) are idempotent on the server."""
    for attempt in range(MAX_RETRIES + 1):
        try:
            return await client.post(path, json=body)
        except httpx.TransportError:
            if attempt == MAX_RETRIES:
                raise
            run.retries += 1
            await asyncio.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


async def run_interview(client: httpx.AsyncClient, token: str, seed: int) -> SessionRun:
    """Consent, then answer every moderator turn until the interview is done."""
    rng = random.Random(seed)
    persona = make_persona(rng, admin_problem=rng.random() < 0.65)
    run = SessionRun(token=token)
    try:
        consent = await _post(client, run, f"/api/i/{token}/consent", {"agree": True})
        if consent.status_code != 200:
            run.errors.append(f"consent: HTTP {consent.status_code} {consent.text[:200]}")
            return run
        view = consent.json()
        while not view["done"] and run.answers < MAX_ANSWERS:
            question = view["turns"][-1]["text"]
            text = answer_for(question, persona, rng) or FALLBACK
            started = time.perf_counter()
            reply = await _post(
                client, run, f"/api/i/{token}/answer", {"text": text, "seq": run.answers}
            )
            run.turn_seconds.append(time.perf_counter() - started)
            if reply.status_code != 200:
                run.errors.append(
                    f"answer {run.answers}: HTTP {reply.status_code} {reply.text[:200]}"
                )
                return run
            view = reply.json()
            run.answers += 1
        run.status, run.turns = str(view["status"]), len(view["turns"])
        if not view["done"]:
            run.errors.append(f"not done after {run.answers} answers")
    except httpx.HTTPError as exc:
        run.errors.append(f"{type(exc).__name__}: {exc}")
    return run


async def run_load(url: str, admin_token: str, *, project: str, guide: str, n: int) -> LoadRun:
    """Create ``n`` sessions, then run all ``n`` interviews concurrently."""
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        tokens = await create_sessions(client, admin_token, project=project, guide=guide, n=n)
        started = time.perf_counter()
        runs = await asyncio.gather(*(run_interview(client, t, i) for i, t in enumerate(tokens)))
        return LoadRun(sessions=list(runs), seconds=time.perf_counter() - started)


async def view_load(url: str, tokens: list[str], *, rounds: int) -> list[float]:
    """The peer: the same concurrency reading each session's view (load, no moderator,
    no write); seconds per request."""
    limits = httpx.Limits(max_connections=len(tokens) + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def reader(token: str) -> list[float]:
            out: list[float] = []
            for _ in range(rounds):
                started = time.perf_counter()
                (await client.get(f"/api/i/{token}")).raise_for_status()
                out.append(time.perf_counter() - started)
            return out

        done = await asyncio.gather(*(reader(t) for t in tokens))
    return [s for one in done for s in one]
