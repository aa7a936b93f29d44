"""The llm moderator against a recorded-response OpenAI-compatible server over real
HTTP: generated probes are used only when the linter passes them; timeouts, errors,
garbage and flagged questions fall back to the rule-based moderator mid-interview."""

from __future__ import annotations

import socket

import pytest

from fieldnote.interviews.guides import new_guide
from fieldnote.interviews.moderation import LlmConfig, LlmModerator, SessionState, new_session
from tests.interviews.llm_server import recorded_llm

ANSWER = "It was on the train. The HubSpot step said I need an admin, so I stopped there."


def _session(url: str, timeout: float = 1.0) -> tuple[LlmModerator, SessionState]:
    moderator, state = new_session(
        new_guide("g", minutes=30),
        "llm",
        LlmConfig(
            base_url=url, model="qwen2.5:3b-instruct", api_key="k-test", timeout_seconds=timeout
        ),
    )
    assert isinstance(moderator, LlmModerator)
    moderator.start(state, 0.0)
    return moderator, state


def test_generated_probe_then_flagged_one_then_next() -> None:
    with recorded_llm() as llm:
        moderator, state = _session(llm.url)
        first = moderator.respond(state, ANSWER, 10.0)
        assert (first.kind, first.reason) == ("probe", "llm")
        assert first.text == "What happened right after the screen asked for an admin?"
        body, auth = llm.requests[0]
        assert auth == "Bearer k-test" and body["model"] == "qwen2.5:3b-instruct"
        assert body["messages"][0]["role"] == "system"
        assert body["messages"][-1] == {"role": "user", "content": ANSWER}

        # The model's next question is leading: the rule-based moderator asks instead.
        second = moderator.respond(state, "I gave up, honestly, it was annoying.", 20.0)
        assert second.reason == "emotion" and moderator.fallbacks == 1
        # Probe limit (2) reached: the next question comes without asking the model.
        third = moderator.respond(state, "I lost the morning.", 30.0)
        assert third.kind == "question" and len(llm.requests) == 2
        # "NEXT": no probe, straight to the following question.
        fourth = moderator.respond(state, ANSWER, 40.0)
        assert fourth.kind == "question" and len(llm.requests) == 3


@pytest.mark.parametrize("fault", ["slow", "error", "garbage"])
def test_faults_fall_back_without_the_participant_noticing(fault: str) -> None:
    with recorded_llm() as llm:
        llm.faults.append(fault)
        moderator, state = _session(llm.url, timeout=0.5)
        turn = moderator.respond(state, "Fine.", 10.0)
        assert (turn.kind, turn.reason, turn.text) == (
            "probe",
            "too_short",
            "Tell me more about that.",
        )
        assert moderator.fallbacks == 1
        # The next turn uses the model again.
        assert moderator.respond(state, ANSWER, 20.0).reason == "llm"


def test_unreachable_endpoint_falls_back() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens
    moderator, state = _session(f"http://127.0.0.1:{port}/v1", timeout=0.5)
    assert moderator.respond(state, "Fine.", 10.0).reason == "too_short"


def test_llm_needs_configuration() -> None:
    with pytest.raises(ValueError, match="FIELDNOTE_LLM_BASE_URL"):
        new_session(new_guide("g"), "llm")
