"""Journey map, theme reach and personas on a DuckDB store shaped like the event
store, against hand counts and a plain reference."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics.funnels import Funnel, FunnelStep, compute_funnel
from fieldnote.evidence._journey import JourneyNote, furthest_steps, journey_map
from fieldnote.evidence._personas import PersonaNote, build_personas, participant_attributes
from fieldnote.evidence._reach import active_users, theme_reach
from tests.evidence._artifacts_seed import LABELS, NOTES, RANGE, STEPS, source

FUNNEL = Funnel(steps=tuple(FunnelStep.parse(s) for s in STEPS), dates=RANGE)


def test_furthest_steps_from_the_events() -> None:
    got = furthest_steps(source(), FUNNEL, {"p1", "p4", "p5", "p6"})
    assert got == {"p1": 2, "p4": 2, "p5": 3}  # p6 has no events


def _notes() -> list[JourneyNote]:
    return [
        JourneyNote(
            id=n, text=t, participant=p, source="s", theme=th, tags=tuple(tags), sentiment=-0.5
        )
        for n, p, th, t, tags in NOTES
    ]


def test_journey_map_links_notes_by_tag_then_by_where_people_stopped() -> None:
    src = source()
    result = compute_funnel(src, FUNNEL)
    furthest = furthest_steps(src, FUNNEL, {p for _, p, *_ in NOTES})
    got = journey_map(result, _notes(), LABELS, furthest)
    first, second, third = got.steps
    assert [s.users for s in got.steps] == [60, 50, 20]
    assert (first.dropped_after, second.dropped_after, third.dropped_after) == (10, 30, None)
    assert second.drop_rate == pytest.approx(0.6)
    assert first.notes == 1  # n8, tagged step:signup
    assert second.notes == 4 and second.themes[0].label == "Admin access blocks integration"
    assert second.themes[0].participants == 4
    assert third.notes == 2 and third.themes[0].theme == "t2"
    assert got.linked_by == {"tag": 1, "segment": 6} and got.unlinked == 1  # p6
    assert second.thin and second.sentiment == pytest.approx(-0.5)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", None]),
            st.sampled_from(["t1", "t2", None]),
            st.floats(-1, 1),
            st.sampled_from([(), ("step:signup",), ("connect_integration",), ("other",)]),
        ),
        max_size=25,
    ),
    furthest=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(1, 3)),
)
def test_journey_map_matches_a_plain_reference(
    rows: list[tuple[str | None, str | None, float, tuple[str, ...]]], furthest: dict[str, int]
) -> None:
    result = _RESULT
    notes = [
        JourneyNote(id=f"n{i}", text="x", participant=p, source="s", theme=t, tags=g, sentiment=v)
        for i, (p, t, v, g) in enumerate(rows)
    ]
    got = journey_map(result, notes, LABELS, furthest)
    want: dict[int, list[float]] = {1: [], 2: [], 3: []}
    for p, _, v, g in rows:
        step = None
        for tag in g:
            name = tag.removeprefix("step:")
            if name in STEPS:
                step = STEPS.index(name) + 1
                break
        if step is None and p in furthest:
            step = furthest[p]
        if step is not None:
            want[step].append(v)
    for s in got.steps:
        assert s.notes == len(want[s.index])
        if want[s.index]:
            assert s.sentiment == pytest.approx(sum(want[s.index]) / len(want[s.index]))
        else:
            assert s.sentiment is None
    assert got.unlinked == len(rows) - sum(len(v) for v in want.values())


_RESULT = compute_funnel(source(), FUNNEL)


def test_theme_reach_from_the_participants_who_expressed_it() -> None:
    src = source()
    got = theme_reach(
        src, "admin access", RANGE, funnel=FUNNEL, theme_people={"p1", "p2", "p3", "p4", "p6"}
    )
    assert got.size == 30 and got.active_users == 60 and got.share == pytest.approx(0.5)
    assert got.per_quarter == pytest.approx(30 * 91.25 / 28)
    assert got.basis.startswith("4 of 5 participants who expressed it stopped at step 2")
    assert got.definition.dropped and got.definition.step == 2
    assert any("not found" in w for w in got.warnings)
    assert active_users(src, RANGE) == 60


def test_theme_reach_with_a_chosen_segment_and_with_nobody_in_the_funnel() -> None:
    from fieldnote.analytics.segments import SegmentDefinition

    chosen = SegmentDefinition(funnel=FUNNEL, step=3)
    got = theme_reach(source(), "dash", RANGE, chosen=chosen)
    assert got.size == 20 and got.basis == "segment chosen by the team"
    with pytest.raises(ValueError, match="none of the theme's participants"):
        theme_reach(source(), "x", RANGE, funnel=FUNNEL, theme_people={"p6"})
    with pytest.raises(ValueError, match="bounded"):
        theme_reach(source(), "x", replace(RANGE, end=None), chosen=chosen)


def test_personas_grouped_by_an_attribute_from_the_events() -> None:
    people = {p for _, p, *_ in NOTES}
    attrs = participant_attributes(source(), people, ["$os", "plan"], RANGE)
    assert attrs["p1"] == {"$os": "ios", "plan": "team"} and attrs["p5"]["plan"] == "pro"
    assert "p6" not in attrs
    notes = [PersonaNote(id=n, text=t, participant=p, theme=th) for n, p, th, t, _ in NOTES]
    personas = build_personas("$os", attrs, notes, LABELS)
    assert [(p.value, len(p.participants)) for p in personas] == [
        ("ios", 4),
        ("(unknown)", 1),
        ("android", 1),
    ]
    ios = personas[0]
    assert ios.themes[0] == ("t1", LABELS["t1"], 4)
    assert ios.attributes["plan"] == [("team", 4)]
    assert {e.note for e in ios.empathy.feels} == {"n1"}
    assert {e.note for e in ios.empathy.thinks} == {"n2"}
    assert {e.note for e in ios.empathy.does} == {"n3"}
    assert personas[2].warnings  # one person


def test_theme_reach_narrowed_by_the_platform_its_people_share() -> None:
    got = theme_reach(
        source(), "admin access", RANGE, funnel=FUNNEL,
        theme_people={"p1", "p2", "p3", "p4", "p6"}, attributes=["$os", "plan"],
    )  # fmt: skip
    # p1-p4 stopped at step 2, all on ios and plan team: 4 + 13 ios users stuck there
    step = got.definition.funnel.steps[1]
    assert str(step) == "integration_viewed where $os=ios"  # plan is not on that event
    assert got.size == 17
    assert "4 of those 4 on $os = ios" in got.basis and "plan" not in got.basis


@settings(max_examples=100, deadline=None)
@given(
    attrs=st.dictionaries(
        st.sampled_from("abcdef"),
        st.dictionaries(st.sampled_from(["os", "plan"]), st.sampled_from(["x", "y", "z"])),
    ),
    people=st.sets(st.sampled_from("abcdef"), min_size=1),
)
def test_shared_values_match_a_plain_reference(
    attrs: dict[str, dict[str, str]], people: set[str]
) -> None:
    from fieldnote.evidence._reach import MIN_BASIS, SHARED, shared_values

    got = {(v.key, v.value, v.people) for v in shared_values(people, attrs, ["os", "plan"])}
    want = set()
    for key in ("os", "plan"):
        values = sorted(attrs[p][key] for p in people if key in attrs.get(p, {}))
        if not values:
            continue
        best = max(set(values), key=lambda v: (values.count(v), [-ord(c) for c in v]))
        n = values.count(best)
        if n >= MIN_BASIS and n / len(people) >= SHARED:
            want.add((key, best, n))
    assert got == want
