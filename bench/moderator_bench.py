"""Rule-based moderator turn latency (target p95 < 50 ms).

``python -m bench moderator [--interviews 200]`` runs the demo participants against the
rule-based moderator in-process and times every ``respond`` call (answer analysis,
probe choice, linting every candidate). The peer is the linter alone on the same
moderator questions, i.e. the floor any moderator that lints what it asks pays.
In-process only: the participant chat page and its HTTP API are not built yet, so the
"100 concurrent interviews" half of the issue's measure is not covered here.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from fieldnote.interviews.demo._answers import answer_for
from fieldnote.interviews.demo._people import make_persona
from fieldnote.interviews.guides import draft_guide
from fieldnote.interviews.linting import lint_question
from fieldnote.interviews.moderation import RuleBasedModerator, SessionState


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench moderator")
    parser.add_argument("--interviews", type=int, default=200)
    args = parser.parse_args(argv)
    rng = random.Random(1)
    guide = draft_guide("g", question="q", step="integration_step_viewed", segment="mobile")
    latencies: list[float] = []
    asked: list[str] = []
    for _ in range(args.interviews):
        persona = make_persona(rng, admin_problem=rng.random() < 0.65)
        moderator = RuleBasedModerator()
        state = SessionState(guide=guide, moderator=moderator.name)
        turn = moderator.start(state, 0.0)
        t = 0.0
        while not turn.done:
            answer = answer_for(turn.text, persona, rng) or "I usually get stuck there, honestly."
            t += 30
            started = time.perf_counter()
            turn = moderator.respond(state, answer, t)
            latencies.append((time.perf_counter() - started) * 1000)
            asked.append(turn.text)
    started = time.perf_counter()
    for text in asked:
        lint_question(text)
    peer_ms = (time.perf_counter() - started) * 1000 / len(asked)
    p50, p95, p99 = (_pct(latencies, q) for q in (0.5, 0.95, 0.99))
    print(f"{len(latencies)} moderator turns over {args.interviews} interviews")
    print(
        f"respond latency: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms (target p95 < 50 ms)"
    )
    print(f"peer: linting one question {peer_ms:.2f} ms; p50 / peer = {p50 / peer_ms:.1f}x")
    return {
        "turns": len(latencies),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "p99_ms": round(p99, 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "peer_lint_ms": round(peer_ms, 3),
    }
