"""The ``llm`` moderator: follow-up questions written by any OpenAI-compatible chat
endpoint (Ollama, vLLM, llama.cpp server, OpenAI, ...), inside the rule-based frame.

Sections, budgets and the probe limit stay rule-based; the model only words the next
probe (or says ``NEXT`` to move on). Every generated question must pass the linter.
A timeout, an HTTP or format error, or a question the linter flags falls back to the
rule-based moderator for that turn: the participant sees a question either way, and
the transcript marks which moderator wrote it (``reason``: ``llm`` or the rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from fieldnote.interviews._model import Role
from fieldnote.interviews.linting import lint_question
from fieldnote.interviews.moderation._rule_based import RuleBasedModerator
from fieldnote.interviews.moderation._session import ModeratorTurn, SessionState, Turn

__all__ = ["LlmConfig", "LlmModerator"]

SYSTEM = (
    "You are a neutral user-research interviewer. Given the interview so far, write ONE "
    "short open follow-up question about the participant's last answer: about what "
    "actually happened, never leading, never yes/no, never hypothetical, never 'why', "
    "never suggesting a solution, no jargon. If the answer needs no follow-up, reply "
    "exactly NEXT. Reply with the question only."
)


@dataclass(frozen=True, kw_only=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 8.0


class LlmModerator:
    name = "llm"

    def __init__(self, config: LlmConfig, *, max_probes: int = 2) -> None:
        self.config = config
        self.rules = RuleBasedModerator(max_probes=max_probes)
        self.max_probes = max_probes
        self.fallbacks = 0  # turns the rule-based moderator wrote instead

    def start(self, state: SessionState, now: float) -> ModeratorTurn:
        return self.rules.start(state, now)

    def _messages(self, state: SessionState) -> list[dict[str, str]]:
        history = [
            {
                "role": "assistant" if t.role is Role.INTERVIEWER else "user",
                "content": t.text,
            }
            for t in state.turns[-12:]
        ]
        return [{"role": "system", "content": SYSTEM}, *history]

    def _generate(self, state: SessionState) -> str | None:
        """The model's question, "NEXT", or None on any failure."""
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        try:
            response = httpx.post(
                self.config.base_url.rstrip("/") + "/chat/completions",
                json={
                    "model": self.config.model,
                    "messages": self._messages(state),
                    "temperature": 0,
                    "max_tokens": 80,
                },
                headers=headers,
                timeout=self.config.timeout_seconds,
            )
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError):
            return None
        return " ".join(str(text).split()).strip('"') or None

    def respond(self, state: SessionState, answer: str, now: float) -> ModeratorTurn:
        if state.done:
            raise ValueError("the interview is over")
        current = self.rules.current(state)
        if (
            current is None
            or state.probes_used >= self.max_probes
            or self.rules.over_budget(state, now)
        ):
            return self.rules.respond(state, answer, now)
        section, _ = current
        state.turns.append(
            Turn(
                role=Role.PARTICIPANT,
                text=answer.strip(),
                at=state.elapsed(now),
                section=section.key,
            )
        )
        generated = self._generate(state)
        asked = {t.text for t in state.turns if t.role is Role.INTERVIEWER}
        if (
            generated is not None
            and generated != "NEXT"
            and generated not in asked
            and lint_question(generated, solutions_allowed=section.solutions_allowed).clean
        ):
            state.probes_used += 1
            return self.rules.say(state, now, generated, "probe", section, "llm")
        state.turns.pop()  # the rule-based path records the answer itself
        if generated == "NEXT":
            return self.rules.respond(state, answer, now, probe=False)
        self.fallbacks += 1
        return self.rules.respond(state, answer, now)
