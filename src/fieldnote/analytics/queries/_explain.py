"""An "explain this change" question as typed: the rate (``activation`` or
``conversion`` with its options), the two periods (``FROM..TO``) and the dimensions
(``channel,person.plan``). Shared by the CLI, the API and the explain page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldnote.analytics._time import DateRange, parse_range
from fieldnote.analytics.explain import RATE_METRICS, RateMetric, rate_metric
from fieldnote.analytics.funnels import Breakdown, FunnelStep
from fieldnote.analytics.queries._fields import Pairs, QueryError, duration, multi, single

__all__ = ["ExplainQuery"]


@dataclass(frozen=True)
class ExplainQuery:
    metric: str = "activation"
    before: str = ""
    after: str = ""
    by: str = ""
    start: str = "signup"
    target: str = "activated"
    within: str = "7d"
    steps: tuple[str, ...] = ()
    window: str = "14d"

    @classmethod
    def from_pairs(cls, metric: str, pairs: Pairs) -> ExplainQuery:
        values = multi(pairs)
        d = cls()
        return cls(
            metric=metric,
            before=single(values, "before", "") or "",
            after=single(values, "after", "") or "",
            by=single(values, "by", "") or "",
            start=single(values, "start", d.start) or d.start,
            target=single(values, "target", d.target) or d.target,
            within=single(values, "within", d.within) or d.within,
            steps=tuple(s.strip() for s in values.get("step", []) if s.strip()),
            window=single(values, "window", d.window) or d.window,
        )

    def to_params(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "by": self.by,
            "start": self.start,
            "target": self.target,
            "within": self.within,
            "step": list(self.steps) or None,
            "window": self.window,
        }

    def dimensions(self) -> list[str]:
        dims = [d.strip() for d in self.by.split(",") if d.strip()]
        if not dims:
            raise QueryError("by", "give at least one dimension, e.g. channel,platform")
        for d in dims:
            try:
                Breakdown.parse(d)
            except ValueError as exc:
                raise QueryError("by", f"dimension {d!r}: {exc}") from None
        return dims

    def periods(self) -> tuple[DateRange, DateRange]:
        out: list[DateRange] = []
        for name, text in (("before", self.before), ("after", self.after)):
            if not text.strip():
                raise QueryError(name, f"give the {name} period as FROM..TO")
            try:
                out.append(parse_range(text))
            except ValueError as exc:
                raise QueryError(name, f"{name}: {exc}") from None
        return out[0], out[1]

    def rate(self) -> RateMetric:
        if self.metric not in RATE_METRICS:
            raise QueryError(
                "metric", f"unknown metric {self.metric!r}: one of {', '.join(RATE_METRICS)}"
            )
        for field, text in (("start", self.start), ("target", self.target)):
            _step(field, text)
        for i, text in enumerate(self.steps):
            _step(f"step-{i + 1}", text)
        duration("within", self.within)
        duration("window", self.window)
        options = {
            "start": self.start,
            "target": self.target,
            "within": self.within,
            "steps": list(self.steps),
            "window": self.window,
        }
        try:
            return rate_metric(self.metric, options)
        except ValueError as exc:
            raise QueryError("steps", str(exc)) from None


def _step(field: str, text: str) -> None:
    try:
        FunnelStep.parse(text)
    except ValueError as exc:
        raise QueryError(field, f"{field} {text!r}: {exc}") from None
