"""The rule-based moderator: probes chosen from the answer, budgets followed, never a
flagged question."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.interviews import Role
from fieldnote.interviews.guides import Guide, GuideQuestion, Section, new_guide
from fieldnote.interviews.linting import lint_question
from fieldnote.interviews.moderation import (
    CLOSING,
    OPENING,
    RuleBasedModerator,
    SessionState,
    analyse_answer,
    consistency_report,
    new_session,
)


def one_section(*questions: str) -> Guide:
    return Guide(
        name="g",
        template="custom",
        planned_minutes=30,
        sections=(
            Section(
                key="problem",
                title="Problem",
                share=1.0,
                questions=tuple(GuideQuestion(text=q) for q in questions),
            ),
        ),
    )


ONE_SECTION = one_section(
    "Tell me about the last time you built a report.", "What happened after that?"
)


def _run(guide: Guide, answers: list[str], step: float = 20.0, **kw: object) -> SessionState:
    moderator = RuleBasedModerator(**kw)  # type: ignore[arg-type]
    state = SessionState(guide=guide, moderator=moderator.name)
    moderator.start(state, 0.0)
    t = 0.0
    for a in answers:
        t += step
        if moderator.respond(state, a, t).done:
            break
    return state


def _asked(state: SessionState) -> list[tuple[str, str | None]]:
    return [
        (t.kind, t.reason)
        for t in state.turns
        if t.role is Role.INTERVIEWER and t.kind != "opening"
    ]


def test_each_signal_gets_its_probe() -> None:
    cases = {
        "Fine.": ("too_short", "Tell me more about that."),
        "I usually build them on Monday mornings for the team.": (
            "generalisation",
            "Think of the last time that happened. Walk me through it.",
        ),
        "Honestly it was so frustrating that the numbers were wrong again.": (
            "emotion",
            "What did that mean for your day?",
        ),
        "I copied the numbers into a spreadsheet by hand that week.": (
            "workaround",
            "How did you get around it?",
        ),
        "I built the sales report for the Tuesday leadership meeting.": (
            "paraphrase",
            "So if I understood you: you built the sales report for the Tuesday leadership "
            "meeting. What did I miss?",
        ),
    }
    for answer, (reason, text) in cases.items():
        state = _run(ONE_SECTION, [answer])
        last = state.turns[-1]
        assert (last.kind, last.reason, last.text) == ("probe", reason, text), answer


def test_at_most_n_probes_then_next_question() -> None:
    answers = ["Fine.", "I usually do it on Mondays.", "It was frustrating, really."]
    assert _asked(_run(ONE_SECTION, answers, max_probes=2)) == [
        ("question", None),
        ("probe", "too_short"),
        ("probe", "generalisation"),
        ("question", None),  # a third probe would be over the limit
    ]
    assert _asked(_run(ONE_SECTION, answers[:1], max_probes=0)) == [
        ("question", None),
        ("question", None),
    ]


def test_a_probe_is_never_repeated() -> None:
    state = _run(ONE_SECTION, ["Fine.", "Okay."], max_probes=5)
    probes = [t.text for t in state.turns if t.kind == "probe"]
    assert len(probes) == len(set(probes))


def test_over_budget_sections_are_cut_and_the_end_is_the_wrap_up() -> None:
    guide = new_guide("g", minutes=10)  # intro 0.5 min, context 2 min, ...
    state = _run(guide, ["I usually do it on Mondays with my team lead."] * 40, step=200.0)
    assert state.done and state.turns[-1].text == CLOSING
    sections = [t.section for t in state.turns if t.kind == "question"]
    # One question per section at most: every section overran its budget at once,
    # and after the planned 10 minutes it jumped to the wrap-up.
    assert sections[0] == "intro" and sections[-1] == "wrapup"
    assert len(sections) == len(set(sections))
    report = consistency_report([state])
    assert set(report.section_minutes) <= {s.key for s in guide.sections}


def test_a_leading_guide_question_is_asked_in_its_clean_rewrite() -> None:
    guide = one_section("Why did you cancel your subscription?")
    moderator, state = new_session(guide)
    first = moderator.start(state, 0.0)
    assert "Take me back to when you decided to cancel your subscription" in first.text


ANSWER_WORDS = st.sampled_from(
    [
        "I",
        "usually",
        "always",
        "frustrated",
        "stuck",
        "screenshot",
        "spreadsheet",
        "admin",
        "phone",
        "report",
        "the",
        "a",
        "and",
        "my",
        "manager",
        "was",
        "it",
        "so",
        "we",
        "never",
        "laptop",
        "Monday",
        "HubSpot",
        "wanted",
        "fine",
        "yes",
        "no",
    ]
)


@given(st.lists(st.lists(ANSWER_WORDS, max_size=25).map(" ".join), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_every_moderator_question_passes_the_linter(answers: list[str]) -> None:
    guide = new_guide("g", template="discovery", minutes=20)
    state = _run(guide, answers, step=30.0)
    for t in state.turns:
        if t.role is Role.INTERVIEWER and t.kind != "closing":
            section = next(s for s in guide.sections if s.key == t.section)
            assert lint_question(t.text, solutions_allowed=section.solutions_allowed).clean, t.text


def test_transcript_and_consistency_report() -> None:
    states = [
        _run(ONE_SECTION, ["Fine.", "I usually export it to a spreadsheet.", "Done."])
        for _ in range(3)
    ]
    interview = states[0].to_interview(id="chat-1")
    assert interview.format == "chat" and interview.source == "moderator:rule-based"
    assert interview.utterances[0].text == OPENING
    assert [u.role for u in interview.utterances[:3]] == [
        Role.INTERVIEWER,
        Role.INTERVIEWER,
        Role.PARTICIPANT,
    ]
    assert interview.participant_utterances[0].text == "Fine."
    report = consistency_report(states)
    assert report.interviews == 3
    assert report.questions_asked["Tell me about the last time you built a report."] == 3
    assert report.probes["too_short"] == 3


def test_analysis_signals() -> None:
    s = analyse_answer("I usually get stuck, so I email my manager instead.")
    assert (s.generalisation, s.emotion, s.workaround) == ("usually", "stuck", "instead")
    assert s.gist is not None and s.gist.startswith("I usually") is False


def test_state_survives_a_round_trip_mid_interview() -> None:
    """What the chat API stores between requests: resuming continues identically."""
    guide = new_guide("g", minutes=20)
    answers = ["Fine.", "I usually check it on my phone.", "It was frustrating, I gave up."] * 3
    straight = _run(guide, answers)
    moderator = RuleBasedModerator()
    state = SessionState(guide=guide, moderator=moderator.name)
    moderator.start(state, 0.0)
    t = 0.0
    for a in answers:
        t += 20.0
        state = SessionState.from_dict(state.to_dict())  # stored and loaded every turn
        if moderator.respond(state, a, t).done:
            break
    assert state.to_dict() == straight.to_dict()
