"""Experiments: each variant's conversion against control, as a monitor.

Users who did the exposure step carrying a variant (PostHog's ``$feature/<flag>``
property, or any property named as the variant) form the arms; converting means
reaching the conversion step within the window (the funnel's semantics, so an
experiment and a funnel never disagree). Each variant is compared with control by a
two-proportion z-test with 95 % Wilson intervals; a relative swing beyond the
threshold (default 10 %, up *or* down) that is significant on enough users fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics._stats import two_proportion_test, wilson_interval
from fieldnote.analytics.funnels import Funnel, compute_funnel
from fieldnote.analytics.trends._common import latest_event
from fieldnote.monitors._evaluation_result import Evaluation

__all__ = ["Arm", "ExperimentResult", "ExperimentSpec", "evaluate_experiment"]


@dataclass(frozen=True)
class ExperimentSpec:
    exposure: str
    conversion: str
    variant: str
    """The event property holding the variant, e.g. ``$feature/new-onboarding``."""
    control: str = "control"
    window: str = "14d"
    percent: float = 10.0
    min_sample: int = 100
    alpha: float = 0.05
    lookback_days: int = 30

    def __post_init__(self) -> None:
        if not self.variant.strip():
            raise ValueError("an experiment needs the variant property, e.g. $feature/my-flag")
        if not 0 < self.percent <= 1000 or not 0 < self.alpha < 1:
            raise ValueError("percent must be in (0, 1000] and alpha in (0, 1)")

    def to_dict(self) -> dict[str, Any]:
        return {
            "exposure": self.exposure,
            "conversion": self.conversion,
            "variant": self.variant,
            "control": self.control,
            "window": self.window,
            "percent": self.percent,
            "min_sample": self.min_sample,
            "alpha": self.alpha,
            "lookback_days": self.lookback_days,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExperimentSpec:
        return cls(
            exposure=str(data["exposure"]),
            conversion=str(data["conversion"]),
            variant=str(data["variant"]),
            control=str(data.get("control") or "control"),
            window=str(data.get("window") or "14d"),
            percent=float(data.get("percent", 10.0)),
            min_sample=int(data.get("min_sample", 100)),
            alpha=float(data.get("alpha", 0.05)),
            lookback_days=int(data.get("lookback_days", 30)),
        )

    def describe(self) -> str:
        return f"{self.conversion} after {self.exposure} by {self.variant}"


@dataclass(frozen=True)
class Arm:
    variant: str
    users: int
    converted: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    lift: float | None
    """Relative to control (0.1 = +10 %); None for control itself."""
    p_value: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "users": self.users,
            "converted": self.converted,
            "rate": self.rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "lift": self.lift,
            "p_value": self.p_value,
        }


@dataclass(frozen=True)
class ExperimentResult:
    spec: ExperimentSpec
    arms: tuple[Arm, ...]
    evaluation: Evaluation

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.spec.to_dict(),
            "arms": [a.to_dict() for a in self.arms],
            "evaluation": self.evaluation.to_dict(),
        }


def _arm(variant: str, x: int, n: int, control: tuple[int, int] | None) -> Arm:
    ci = wilson_interval(x, n)
    lift = p = None
    if control is not None and n and control[1] and control[0]:
        c_rate = control[0] / control[1]
        lift = (x / n - c_rate) / c_rate
        p = two_proportion_test(control[0], control[1], x, n).p_value
    return Arm(
        variant=variant,
        users=n,
        converted=x,
        rate=x / n if n else None,
        ci_low=ci.low if ci else None,
        ci_high=ci.high if ci else None,
        lift=lift,
        p_value=p,
    )


def evaluate_experiment(
    source: EventSource, spec: ExperimentSpec, *, until: datetime | None = None
) -> ExperimentResult:
    end = until or latest_event(source)
    if end is None:
        empty = Evaluation(fired=False, reason="no events yet.")
        return ExperimentResult(spec, (), empty)
    funnel = Funnel.parse(
        [spec.exposure, spec.conversion],
        window=spec.window,
        breakdown=spec.variant,
        date_from=(end - timedelta(days=spec.lookback_days)).date().isoformat(),
        date_to=end.date().isoformat(),
    )
    assert isinstance(funnel.dates, DateRange)
    result = compute_funnel(source, funnel)
    counts = {
        str(b.value): (b.steps[-1].count, b.steps[0].count)
        for b in result.breakdown or ()
        if b.value is not None
    }
    if spec.control not in counts:
        seen = ", ".join(sorted(counts)) or "none"
        reason = f"no exposed user carries {spec.variant} = {spec.control} (variants seen: {seen})."
        return ExperimentResult(spec, (), Evaluation(fired=False, reason=reason))
    control = counts[spec.control]
    arms = [_arm(spec.control, *control, None)]
    arms += [_arm(v, *counts[v], control) for v in sorted(counts) if v != spec.control]
    return ExperimentResult(spec, tuple(arms), _judge(spec, arms))


def _judge(spec: ExperimentSpec, arms: list[Arm]) -> Evaluation:
    control = arms[0]
    firing = [
        a
        for a in arms[1:]
        if a.lift is not None
        and abs(a.lift) * 100 >= spec.percent
        and a.p_value is not None
        and a.p_value < spec.alpha
        and min(a.users, control.users) >= spec.min_sample
    ]
    if not firing:
        return Evaluation(
            fired=False,
            reason=(
                f"no variant of {spec.variant} moved {spec.conversion} by {spec.percent:g}% "
                f"or more against {spec.control} with significance on ≥{spec.min_sample} users."
            ),
        )
    worst = max(firing, key=lambda a: abs(a.lift or 0))
    lift = worst.lift or 0.0
    moved = "up" if lift > 0 else "down"
    return Evaluation(
        fired=True,
        reason=(
            f"{spec.conversion} after {spec.exposure} is {abs(lift) * 100:.0f}% {moved} for "
            f"{spec.variant} = {worst.variant} against {spec.control} "
            f"({(control.rate or 0) * 100:.1f}% → {(worst.rate or 0) * 100:.1f}%, "
            f"p={worst.p_value:.2g}, {control.users:,} vs {worst.users:,} users)."
        ),
        direction=moved,
        value=worst.rate,
        baseline=control.rate,
        change=lift,
        p_value=worst.p_value,
    )
