"""fieldnote.analytics.queries: the strings people type → questions, with the field
named on failure. Round trips are checked with hypothesis against the plain step
syntax reader (``FunnelStep.parse``)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.queries import (
    FunnelQuery,
    QueryError,
    RetentionQuery,
    TrendQuery,
    join_step,
)

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\'),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s.strip() != "")
words = st.sampled_from(["signup", "Signed Up", "a where b", "x and y", "$pageview", "ünï"])


@given(event=st.one_of(names, words))
def test_join_step_reads_back_as_the_same_event(event: str) -> None:
    step = FunnelStep.parse(join_step(event))
    assert step.event == event and step.filters == ()


@given(event=st.one_of(names, words), value=st.sampled_from(["ios", "10", "pro plus"]))
def test_join_step_keeps_conditions(event: str, value: str) -> None:
    step = FunnelStep.parse(join_step(event, f'platform="{value}"'))
    assert step.event == event
    assert [(f.key, f.value) for f in step.filters] == [("platform", value)]


@given(
    steps=st.lists(st.one_of(names, words), min_size=2, max_size=5),
    strict=st.booleans(),
    window=st.sampled_from(["30m", "12h", "14d", "2w"]),
)
def test_builder_rows_and_canonical_params_ask_the_same_question(
    steps: list[str], strict: bool, window: str
) -> None:
    rows: list[tuple[str, str]] = []
    for s in steps:
        rows += [("event", s), ("where", "")]
    rows += [("window", window)] + ([("strict", "on")] if strict else [])
    from_rows = FunnelQuery.from_pairs(rows)
    canonical = urlencode(
        [
            (k, v)
            for k, vals in from_rows.to_params().items()
            if vals is not None
            for v in (vals if isinstance(vals, list) else [vals])
        ]
    )
    again = FunnelQuery.from_pairs(parse_qsl(canonical, keep_blank_values=True))
    assert again.funnel() == from_rows.funnel()
    assert [s.event for s in again.funnel().steps] == steps
    assert [e for e, _ in again.step_rows()] == steps


@pytest.mark.parametrize(
    ("pairs", "field", "words"),
    [
        ([("step", "a"), ("step", "b"), ("window", "soon")], "window", "cannot read duration"),
        ([("step", "a"), ("step", "b"), ("from", "2026-02-30")], "from", "cannot read date"),
        ([("step", "a"), ("step", "b"), ("to", "x")], "to", "cannot read date"),
        (
            [("step", "a"), ("step", "b"), ("from", "2026-03-02"), ("to", "2026-03-01")],
            "to",
            "before",
        ),
        ([("step", "a")], "steps", "at least two steps"),
        ([("step", "a"), ("step", "b where c")], "step-2", "needs an operator"),
        ([("step", "a"), ("step", "b"), ("breakdown", "x]")], "breakdown", "breakdown"),
        ([("event", ""), ("where", "k=v")], "step-1", "conditions but no event"),
    ],
)
def test_funnel_errors_name_their_field(
    pairs: list[tuple[str, str]], field: str, words: str
) -> None:
    with pytest.raises(QueryError) as caught:
        FunnelQuery.from_pairs(pairs).funnel()
    assert caught.value.field == field and words in caught.value.message


def test_later_values_override_and_blank_ones_are_ignored() -> None:
    q = FunnelQuery.from_pairs([("window", "7d"), ("window", ""), ("window", "3d"), ("to", " ")])
    assert q.window == "3d" and q.date_to is None


def test_retention_and_trend_errors_name_their_field() -> None:
    for pairs, field in (
        ([("periods", "x")], "periods"),
        ([("periods", "400")], "periods"),
        ([("interval", "month")], "interval"),
        ([("start", "a where b")], "start"),
        ([("from", "nope")], "from"),
    ):
        with pytest.raises(QueryError) as caught:
            RetentionQuery.from_pairs(pairs).retention()
        assert caught.value.field == field
    for metric, pairs, field in (
        ("nope", [], "metric"),
        ("events", [], "event"),
        ("conversion", [("step", "a")], "steps"),
        ("activation", [("within", "x")], "within"),
        ("events", [("event", "a"), ("interval", "year")], "interval"),
    ):
        with pytest.raises(QueryError) as caught:
            TrendQuery.from_pairs(metric, pairs).trend()
        assert caught.value.field == field


def test_params_round_trip_for_retention_and_trends() -> None:
    r = RetentionQuery(start="signup", returning="login", interval="day", periods=5)
    pairs = [(k, str(v)) for k, v in r.to_params().items() if v is not None]
    assert RetentionQuery.from_pairs(pairs) == r
    t = TrendQuery.from_pairs("conversion", [("step", "a"), ("step", "b"), ("interval", "week")])
    flat = [
        (k, v)
        for k, vals in t.to_params().items()
        if vals is not None
        for v in (vals if isinstance(vals, list) else [vals])
    ]
    assert TrendQuery.from_pairs("conversion", flat) == t


def test_explain_query_names_its_fields_and_round_trips() -> None:
    from fieldnote.analytics.queries import ExplainQuery

    q = ExplainQuery.from_pairs(
        "conversion",
        [("before", "2026-01-01..2026-01-07"), ("after", "2026-01-08.."), ("by", "a, person.b")],
    )
    assert q.dimensions() == ["a", "person.b"]
    for pairs, field in (
        ([("before", "x"), ("after", "2026-01-08..")], "before"),
        ([("before", "2026-01-01..2026-01-02")], "after"),
    ):
        with pytest.raises(QueryError) as caught:
            ExplainQuery.from_pairs("activation", pairs).periods()
        assert caught.value.field == field
    with pytest.raises(QueryError) as caught:
        q.rate()  # conversion without steps
    assert caught.value.field == "steps"
    flat = [
        (k, v)
        for k, vals in q.to_params().items()
        if vals is not None
        for v in (vals if isinstance(vals, list) else [vals])
    ]
    assert ExplainQuery.from_pairs("conversion", flat) == q
