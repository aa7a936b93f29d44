"""Question wording (metric, move, since, driving segments, step) and study plans
(segments of the users who dropped at the step, per driving value)."""

from __future__ import annotations

from datetime import date, timedelta

from fieldnote.research import (
    DEFAULT_DEADLINE,
    DEFAULT_QUOTA,
    Driver,
    StepChange,
    anomaly_key,
    plan_study,
    question_text,
)


def test_question_names_the_family_the_values_and_the_step() -> None:
    driver = Driver("event.platform", ("ios", "android"), -0.12)
    assert driver.family == "mobile"
    step = StepChange("integration_step_viewed", "connect_integration", 4, 0.86, 0.43, 1e-9)
    text = question_text(
        "activation",
        direction="down",
        change=-0.37,
        since=date(2026, 3, 3),
        drivers=[driver],
        step=step,
    )
    assert text == (
        "We see activation down 37% since 2026-03-03 (mobile: platform ios, android; "
        "at integration_step_viewed → connect_integration); we do not yet know why."
    )


def test_mixed_values_are_not_given_a_family_and_bare_questions_read_well() -> None:
    assert Driver("event.platform", ("ios", "web"), -0.1).family is None
    assert Driver("event.channel", ("paid_social",), -0.1).describe() == "channel paid_social"
    text = question_text("signups", direction="up", change=None, since=None)
    assert text == "We see signups up; we do not yet know why."


def test_one_key_per_monitor_and_direction() -> None:
    assert anomaly_key(3, "down") != anomaly_key(3, "up")
    assert anomaly_key(3, "down") == anomaly_key(3, "down")


def test_study_targets_the_users_who_dropped_at_the_step_per_value() -> None:
    steps = ("signup", "integration_step_viewed", "connect_integration", "activated")
    plan = plan_study(
        7,
        "We see ...",
        steps=steps,
        dropped_at=2,
        dimension="event.platform",
        values=("ios", "android"),
        last_days=10,
    )
    assert plan.quota == DEFAULT_QUOTA == (5, 8) and plan.deadline == DEFAULT_DEADLINE
    assert timedelta(hours=48) == DEFAULT_DEADLINE
    assert [s.name for s in plan.segments] == [
        "q7-ios-dropped-integration-step-viewed",
        "q7-android-dropped-integration-step-viewed",
    ]
    ios = plan.segments[0].definition
    assert ios.dropped and ios.step == 2 and ios.last == timedelta(days=10)
    assert [str(s) for s in ios.funnel.steps] == [
        "signup where platform = ios"
        if " = " in str(ios.funnel.steps[0])
        else "signup where platform=ios",
        "integration_step_viewed",
        "connect_integration",
    ]
    assert plan.to_dict()["quota"] == {"min": 5, "max": 8}
    everyone = plan_study(1, "q", steps=steps, dimension=None, values=(), dropped_at=1, last_days=7)
    assert [s.name for s in everyone.segments] == ["q1-all-dropped-signup"]
