"""The ``rule-based`` moderator: offline, deterministic, follows the guide's sections
and budgets, and probes by analysing each answer.

After each answer it picks at most one probe, in this order: too short → "tell me
more"; a generalisation ("usually") → the last time it happened; emotion or pain →
impact; a workaround → how they got around it; otherwise paraphrase the answer back to
confirm understanding; then the guide's own probes. At most ``max_probes`` per
question. Every sentence it asks passes the question linter: a flagged guide question
is replaced by the linter's rewrite when that is clean, and skipped otherwise, so the
moderator is never leading.
"""

from __future__ import annotations

from fieldnote.interviews._model import Role
from fieldnote.interviews.guides import GuideQuestion, Section
from fieldnote.interviews.linting import lint_question
from fieldnote.interviews.moderation._analysis import analyse_answer
from fieldnote.interviews.moderation._session import ModeratorTurn, SessionState, Turn

__all__ = ["CLOSING", "OPENING", "RuleBasedModerator"]

OPENING = "Thank you for taking part. There are no right or wrong answers; I want to learn from your experience."
CLOSING = "That is everything I wanted to ask. Thank you very much for your time."


def _clean(text: str, section: Section) -> str | None:
    """The text if the linter passes it, else its first clean rewrite, else None."""
    linted = lint_question(text, solutions_allowed=section.solutions_allowed)
    if linted.clean:
        return text
    for issue in linted.issues:
        if lint_question(issue.rewrite, solutions_allowed=section.solutions_allowed).clean:
            return issue.rewrite
    return None


class RuleBasedModerator:
    name = "rule-based"

    def __init__(self, *, max_probes: int = 2, paraphrase: bool = True) -> None:
        if max_probes < 0:
            raise ValueError("max_probes must be 0 or more")
        self.max_probes = max_probes
        self.paraphrase = paraphrase

    # -- navigation -------------------------------------------------------------------
    def current(self, state: SessionState) -> tuple[Section, GuideQuestion] | None:
        sections = state.guide.sections
        while state.section < len(sections):
            section = sections[state.section]
            if state.question < len(section.questions):
                return section, section.questions[state.question]
            self._next_section(state, None)
        return None

    def _next_section(self, state: SessionState, now: float | None) -> None:
        section = state.guide.sections[state.section]
        if now is not None and state.section_started_at is not None:
            state.section_seconds[section.key] = state.section_seconds.get(section.key, 0.0) + (
                now - state.section_started_at
            )
            state.section_started_at = now
        state.section += 1
        state.question = 0
        state.probes_used = 0
        state.guide_probes_used = 0

    def over_budget(self, state: SessionState, now: float) -> bool:
        section = state.guide.sections[state.section]
        if state.section_started_at is None:
            return False
        budget = state.guide.budgets()[section.key] * 60
        return now - state.section_started_at > budget

    def _ask_next_question(self, state: SessionState, now: float) -> ModeratorTurn:
        while (current := self.current(state)) is not None:
            section, question = current
            text = _clean(question.text, section)
            if text is not None:
                return self.say(state, now, text, "question", section, None)
            state.question += 1  # a question that cannot be asked neutrally is skipped
        state.done = True
        if state.section_started_at is not None and state.guide.sections:
            last = state.guide.sections[-1].key
            state.section_seconds[last] = state.section_seconds.get(last, 0.0) + (
                now - state.section_started_at
            )
        section_key = state.guide.sections[-1].key if state.guide.sections else ""
        state.turns.append(
            Turn(
                role=Role.INTERVIEWER,
                text=CLOSING,
                at=state.elapsed(now),
                section=section_key,
                kind="closing",
            )
        )
        return ModeratorTurn(text=CLOSING, kind="closing", section=section_key, done=True)

    def say(
        self,
        state: SessionState,
        now: float,
        text: str,
        kind: str,
        section: Section,
        reason: str | None,
    ) -> ModeratorTurn:
        state.turns.append(
            Turn(
                role=Role.INTERVIEWER,
                text=text,
                at=state.elapsed(now),
                section=section.key,
                kind=kind,
                reason=reason,
            )
        )
        return ModeratorTurn(text=text, kind=kind, section=section.key, reason=reason)

    # -- probing ----------------------------------------------------------------------
    def _probe(
        self, state: SessionState, answer: str, section: Section, question: GuideQuestion
    ) -> tuple[str, str] | None:
        signals = analyse_answer(answer)
        asked = {t.text for t in state.turns if t.role is Role.INTERVIEWER}
        candidates: list[tuple[str, str]] = []
        if signals.too_short:
            candidates.append(("too_short", "Tell me more about that."))
        if signals.generalisation:
            candidates.append(
                ("generalisation", "Think of the last time that happened. Walk me through it.")
            )
        if signals.emotion:
            candidates.append(("emotion", "What did that mean for your day?"))
        if signals.workaround:
            candidates.append(("workaround", "How did you get around it?"))
        if self.paraphrase and signals.gist and not signals.too_short:
            candidates.append(
                ("paraphrase", f"So if I understood you: {signals.gist}. What did I miss?")
            )
        for probe in question.probes[state.guide_probes_used :]:
            candidates.append(("guide", probe))
        for reason, text in candidates:
            if text in asked:
                continue
            # A paraphrase is the participant's own words: if the linter objects to
            # them ("would", a judgement), drop it rather than say something else.
            clean = (
                (
                    text
                    if lint_question(text, solutions_allowed=section.solutions_allowed).clean
                    else None
                )
                if reason == "paraphrase"
                else _clean(text, section)
            )
            if clean is not None and clean not in asked:
                if reason == "guide":
                    state.guide_probes_used += 1
                return reason, clean
        return None

    # -- the protocol -----------------------------------------------------------------
    def start(self, state: SessionState, now: float) -> ModeratorTurn:
        state.started_at = now
        state.section_started_at = now
        # The transcript shows what the participant saw: the opening, then the question.
        first_section = state.guide.sections[0].key if state.guide.sections else ""
        state.turns.append(
            Turn(role=Role.INTERVIEWER, text=OPENING, at=0.0, section=first_section, kind="opening")
        )
        first = self._ask_next_question(state, now)
        return ModeratorTurn(
            text=f"{OPENING} {first.text}", kind=first.kind, section=first.section, done=first.done
        )

    def respond(
        self, state: SessionState, answer: str, now: float, *, probe: bool = True
    ) -> ModeratorTurn:
        if state.done:
            raise ValueError("the interview is over")
        current = self.current(state)
        if current is None:
            return self._ask_next_question(state, now)
        section, question = current
        state.turns.append(
            Turn(
                role=Role.PARTICIPANT,
                text=answer.strip(),
                at=state.elapsed(now),
                section=section.key,
            )
        )
        if probe and state.probes_used < self.max_probes and not self.over_budget(state, now):
            chosen = self._probe(state, answer, section, question)
            if chosen is not None:
                state.probes_used += 1
                return self.say(state, now, chosen[1], "probe", section, chosen[0])
        state.question += 1
        state.probes_used = 0
        state.guide_probes_used = 0
        if self.over_budget(state, now) or state.question >= len(section.questions):
            # Over budget: the rest of this section is skipped (the guide is a plan).
            self._next_section(state, now)
        if state.elapsed(now) > state.guide.planned_minutes * 60:
            # Over the planned length: straight to the last section (wrap-up).
            while state.section < len(state.guide.sections) - 1:
                self._next_section(state, now)
        return self._ask_next_question(state, now)
