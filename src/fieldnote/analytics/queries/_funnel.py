"""A funnel question as the strings a person types, shared by the CLI, the API and the
pages: one place that knows the parameter names (``step``, ``window``, ``strict``,
``breakdown``, ``from``, ``to``) and turns them into a ``Funnel``.

The funnel page's builder sends each step as an ``event`` and a ``where`` field (one
pair per row); ``from_pairs`` folds those into the one-line step syntax, so a URL
written either way asks the same question, and ``to_params`` gives the canonical one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics.funnels import Breakdown, Funnel, FunnelOrder, FunnelStep
from fieldnote.analytics.queries._fields import (
    Pairs,
    QueryError,
    date_range,
    duration,
    flag,
    multi,
    single,
)

__all__ = ["FunnelQuery", "join_step"]

_PLAIN_EVENT = re.compile(r'[^"]+')
_KEYWORD = re.compile(r"\s(where|and)\s", re.IGNORECASE)


def join_step(event: str, where: str = "") -> str:
    """An event name and its conditions in the step syntax, quoting the name when it
    holds a keyword (`` where `` / `` and ``) or a quote."""
    event = event.strip()
    if _KEYWORD.search(event) or not _PLAIN_EVENT.fullmatch(event):
        event = '"' + event.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{event} where {where.strip()}" if where.strip() else event


def _steps_from_rows(values: dict[str, list[str]]) -> list[str]:
    events = values.get("event", [])
    wheres = values.get("where", [])
    steps: list[str] = []
    for i, event in enumerate(events):
        where = wheres[i] if i < len(wheres) else ""
        if not event.strip():
            if where.strip():
                raise QueryError(f"step-{i + 1}", f"step {i + 1} has conditions but no event")
            continue
        steps.append(join_step(event, where))
    return steps


@dataclass(frozen=True)
class FunnelQuery:
    steps: tuple[str, ...] = ()
    window: str = "14d"
    strict: bool = False
    breakdown: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def from_pairs(cls, pairs: Pairs) -> FunnelQuery:
        """From a query string: ``step=...`` repeated, or builder rows ``event``/``where``."""
        values = multi(pairs)
        steps = [s.strip() for s in values.get("step", []) if s.strip()]
        steps += _steps_from_rows(values)
        return cls(
            steps=tuple(steps),
            window=single(values, "window", "14d") or "14d",
            strict=flag(values, "strict"),
            breakdown=single(values, "breakdown"),
            date_from=single(values, "from"),
            date_to=single(values, "to"),
        )

    def to_params(self) -> dict[str, Any]:
        """The canonical query parameters (what the API takes; None = leave out)."""
        return {
            "step": list(self.steps),
            "window": self.window,
            "strict": "true" if self.strict else None,
            "breakdown": self.breakdown,
            "from": self.date_from,
            "to": self.date_to,
        }

    def step_rows(self) -> list[tuple[str, str]]:
        """Each step as (event, conditions) for the builder's rows (unreadable steps
        come back whole as the event, so the person sees what they typed)."""
        rows: list[tuple[str, str]] = []
        for text in self.steps:
            try:
                parsed = FunnelStep.parse(text)
            except ValueError:
                rows.append((text, ""))
                continue
            rows.append((parsed.event, " and ".join(str(f) for f in parsed.filters)))
        return rows

    def funnel(self, *, breakdown: str | None = "") -> Funnel:
        """The question (``breakdown`` overrides this query's: None for none).

        Raises ``QueryError`` naming the field: ``step-K``, ``steps``, ``window``,
        ``breakdown``, ``from`` or ``to``.
        """
        steps: list[FunnelStep] = []
        for i, text in enumerate(self.steps):
            try:
                steps.append(FunnelStep.parse(text))
            except ValueError as exc:
                raise QueryError(f"step-{i + 1}", f"step {i + 1}: {exc}") from None
        by = self.breakdown if breakdown == "" else breakdown
        try:
            parsed_by = Breakdown.parse(by) if by else None
        except ValueError as exc:
            raise QueryError("breakdown", f"breakdown {by!r}: {exc}") from None
        window = duration("window", self.window)
        dates = date_range(self.date_from, self.date_to)
        if len(steps) < 2:
            raise QueryError("steps", "a funnel needs at least two steps")
        try:
            return Funnel(
                steps=tuple(steps),
                window=window,
                order=FunnelOrder.STRICT if self.strict else FunnelOrder.ORDERED,
                breakdown=parsed_by,
                dates=dates,
            )
        except ValueError as exc:
            raise QueryError("steps", str(exc)) from None
