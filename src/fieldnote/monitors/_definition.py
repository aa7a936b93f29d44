"""A monitor's definition: a metric and a rule, or an experiment; plus the dimensions
its Signals are explained by. Stored as JSON (``to_dict``) in the repository."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldnote.monitors._experiments import ExperimentSpec
from fieldnote.monitors._metrics import MetricSpec
from fieldnote.monitors._rules import Rule, parse_rule

__all__ = ["MonitorDefinition"]


@dataclass(frozen=True)
class MonitorDefinition:
    metric: MetricSpec | None = None
    rule: Rule | None = None
    experiment: ExperimentSpec | None = None
    explain_by: tuple[str, ...] = ()
    """Dimensions (``platform``, ``channel``, ``person.plan``) a firing is decomposed by."""

    def __post_init__(self) -> None:
        if self.experiment is None and (self.metric is None or self.rule is None):
            raise ValueError("a monitor needs a metric and a rule, or an experiment")
        if self.experiment is not None and self.metric is not None:
            raise ValueError("a monitor watches a metric or an experiment, not both")

    def describe(self) -> str:
        if self.experiment is not None:
            return f"experiment: {self.experiment.describe()}"
        assert self.metric is not None and self.rule is not None
        return f"{self.metric.describe()} ({self.rule.name})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric.to_dict() if self.metric else None,
            "rule": self.rule.to_dict() if self.rule else None,
            "experiment": self.experiment.to_dict() if self.experiment else None,
            "explain_by": list(self.explain_by),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MonitorDefinition:
        try:
            metric = MetricSpec.from_dict(data["metric"]) if data.get("metric") else None
            rule = parse_rule(data["rule"]) if data.get("rule") else None
            experiment = (
                ExperimentSpec.from_dict(data["experiment"]) if data.get("experiment") else None
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"monitor definition is missing {exc}") from None
        return cls(
            metric=metric,
            rule=rule,
            experiment=experiment,
            explain_by=tuple(str(d) for d in data.get("explain_by") or ()),
        )
