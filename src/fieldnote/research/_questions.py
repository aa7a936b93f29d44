"""Questions: "We see <metric> <moved how> since <when> (<segments driving it>); we do
not yet know why." A Signal is a fact; the Question is what the team does not know
yet, worded so nobody mistakes the metric for the explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["FAMILIES", "Driver", "StepChange", "anomaly_key", "question_text"]

#: Values that people name as one group. When every driving value of a dimension
#: belongs to one family, the question names the family ("mobile: ios, android").
FAMILIES: Mapping[str, Mapping[str, str]] = {
    "platform": {"ios": "mobile", "android": "mobile", "web": "web", "desktop": "desktop"},
    "$os": {"iOS": "mobile", "Android": "mobile"},
    "$device_type": {"Mobile": "mobile", "Tablet": "mobile", "Desktop": "desktop"},
}


@dataclass(frozen=True)
class Driver:
    """The segments of one dimension that drove a change."""

    dimension: str
    values: tuple[str, ...]
    contribution: float
    """Their summed contribution to the change (rate points)."""

    @property
    def family(self) -> str | None:
        key = self.dimension.split(".", 1)[-1]
        names = {FAMILIES.get(key, {}).get(v) for v in self.values}
        return names.pop() if len(names) == 1 and None not in names else None

    def describe(self) -> str:
        values = ", ".join(self.values)
        family = self.family
        key = self.dimension.split(".", 1)[-1]
        return f"{family}: {key} {values}" if family else f"{key} {values}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "values": list(self.values),
            "family": self.family,
            "contribution": self.contribution,
            "description": self.describe(),
        }


@dataclass(frozen=True)
class StepChange:
    """The funnel step whose conversion moved most for the driving segments."""

    step_from: str
    step_to: str
    index: int
    """1-based index of ``step_from`` in the funnel."""
    rate_before: float | None
    rate_after: float | None
    p_value: float | None

    def describe(self) -> str:
        return f"at {self.step_from} → {self.step_to}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_from": self.step_from,
            "step_to": self.step_to,
            "index": self.index,
            "rate_before": self.rate_before,
            "rate_after": self.rate_after,
            "p_value": self.p_value,
        }


def anomaly_key(monitor_id: int, direction: str | None) -> str:
    """One open Question per monitor and direction: an ongoing drop updates its
    Question; a later rise is a different question."""
    return f"monitor:{monitor_id}:{direction or 'any'}"


def _moved(direction: str | None, change: float | None) -> str:
    verb = {"up": "up", "down": "down"}.get(direction or "", "moving")
    if change is None:
        return verb
    return f"{verb} {abs(change) * 100:.0f}%"


def question_text(
    metric: str,
    *,
    direction: str | None,
    change: float | None,
    since: date | None,
    drivers: Sequence[Driver] = (),
    step: StepChange | None = None,
) -> str:
    where = [d.describe() for d in drivers]
    if step is not None:
        where.append(step.describe())
    segments = f" ({'; '.join(where)})" if where else ""
    when = f" since {since.isoformat()}" if since else ""
    return f"We see {metric} {_moved(direction, change)}{when}{segments}; we do not yet know why."
