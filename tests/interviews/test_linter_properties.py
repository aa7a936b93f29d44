"""Property tests: the closed-question rule against a plain reference, and robustness
on arbitrary text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.interviews.linting import IssueKind, lint_question

AUX = ["do", "did", "is", "are", "was", "have", "can", "will", "does", "were"]
WH = ["what", "how", "when", "where", "who", "which"]
OPENERS = ["", "so ", "ok, ", "and "]
SUBJECTS = ["you", "your team", "the report", "it"]
TAILS = ["use the export", "check the numbers", "set it up", "get access"]


def reference_closed(text: str) -> bool:
    """Plain reference: after conversational openers, the first word is an auxiliary
    verb (these generated questions contain no polite requests or conditionals)."""
    toks = text.lower().replace(",", " ").replace("?", " ").split()
    while toks and toks[0] in {"so", "ok", "and"}:
        toks = toks[1:]
    return bool(toks) and toks[0] in AUX


questions = st.builds(
    lambda o, a, s, t: f"{o}{a} {s} {t}?".capitalize(),
    st.sampled_from(OPENERS),
    st.sampled_from(AUX + WH),
    st.sampled_from(SUBJECTS),
    st.sampled_from(TAILS),
)


@given(questions)
@settings(max_examples=300, deadline=None)
def test_closed_rule_matches_reference(question: str) -> None:
    assert (IssueKind.CLOSED in lint_question(question).kinds) == reference_closed(question)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_lints_without_error_and_reports_each_kind_once(text: str) -> None:
    result = lint_question(text)
    kinds = [i.kind for i in result.issues]
    assert len(kinds) == len(set(kinds))
    assert all(i.message and i.rewrite for i in result.issues)
    assert lint_question(text) == result  # deterministic
