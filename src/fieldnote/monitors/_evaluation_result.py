"""What a rule says about a metric: fired or not, and why, in one sentence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["Evaluation"]


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    fired: bool
    reason: str
    """One plain sentence, also when the rule did not fire (what was checked)."""
    direction: str | None = None
    """``up`` or ``down``."""
    since: date | None = None
    """The first day of the move."""
    value: float | None = None
    baseline: float | None = None
    change: float | None = None
    """Relative change of ``value`` against ``baseline`` (0.1 = +10 %)."""
    p_value: float | None = None
    baseline_days: tuple[date, date] | None = None
    recent_days: tuple[date, date] | None = None

    def to_dict(self) -> dict[str, Any]:
        def span(days: tuple[date, date] | None) -> list[str] | None:
            return [d.isoformat() for d in days] if days else None

        return {
            "fired": self.fired,
            "reason": self.reason,
            "direction": self.direction,
            "since": self.since.isoformat() if self.since else None,
            "value": self.value,
            "baseline": self.baseline,
            "change": self.change,
            "p_value": self.p_value,
            "baseline_days": span(self.baseline_days),
            "recent_days": span(self.recent_days),
        }
