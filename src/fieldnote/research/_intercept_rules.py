"""Intercept rules: which per-person event pattern should put an invitation in front of
someone, right when it happens.

Two shapes, both from issue 5 item 4:

* immediate: "``event`` at least ``min_count`` times within ``within`` (matching
  ``filters``), and not ``unless`` since the first of those" — e.g. ``kyc_failed`` ≥ 2
  in 1 h;
* delayed: "``delay`` after ``event`` if no ``unless``" — e.g. 3 days after ``signup``
  if no ``activated``.

A rule also says what the invitation offers (title, why, minutes, incentive, a link
or one or two open questions) and how often to ask (``sampling_rate``). Rules are
plain data so the repository can keep them as JSON and the matcher can run them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

__all__ = ["CHANNELS", "FILTER_OPS", "InterceptRule", "Offer", "PropertyFilter", "RuleError"]

#: How an invitation reaches the person.
CHANNELS = ("intercept", "email", "link")


class RuleError(ValueError):
    """A rule definition that cannot be used; the message names the field and why."""


def _eq(actual: object, expected: object) -> bool:
    return actual == expected


def _neq(actual: object, expected: object) -> bool:
    return actual != expected


def _is_in(actual: object, expected: object) -> bool:
    return isinstance(expected, list) and actual in expected


def _contains(actual: object, expected: object) -> bool:
    return isinstance(actual, str) and isinstance(expected, str) and expected in actual


#: Property filter operators (a registry: name → test of (actual, expected)).
FILTER_OPS = {"eq": _eq, "neq": _neq, "in": _is_in, "contains": _contains}


@dataclass(frozen=True, slots=True)
class PropertyFilter:
    key: str
    op: str
    value: Any

    def test(self, properties: Mapping[str, Any]) -> bool:
        return FILTER_OPS[self.op](properties.get(self.key), self.value)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "op": self.op, "value": self.value}


@dataclass(frozen=True, slots=True)
class Offer:
    """What the invitation says and where accepting leads."""

    title: str
    why: str
    minutes: int
    incentive: str = ""
    link: str | None = None
    questions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "why": self.why,
            "minutes": self.minutes,
            "incentive": self.incentive,
            "link": self.link,
            "questions": list(self.questions),
        }


@dataclass(frozen=True, slots=True)
class InterceptRule:
    event: str
    offer: Offer
    min_count: int = 1
    within: timedelta = timedelta(hours=1)
    filters: tuple[PropertyFilter, ...] = ()
    unless: str | None = None
    delay: timedelta | None = None
    sampling_rate: float = 1.0
    channel: str = "intercept"
    study_id: int | None = None
    id: int = 0
    project: str = ""
    name: str = ""

    @property
    def delayed(self) -> bool:
        return self.delay is not None

    def accepts(self, properties: Mapping[str, Any]) -> bool:
        return all(f.test(properties) for f in self.filters)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "min_count": self.min_count,
            "within_seconds": self.within.total_seconds(),
            "filters": [f.to_dict() for f in self.filters],
            "unless": self.unless,
            "delay_seconds": self.delay.total_seconds() if self.delay else None,
            "sampling_rate": self.sampling_rate,
            "channel": self.channel,
            "study_id": self.study_id,
            "offer": self.offer.to_dict(),
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, id: int = 0, project: str = "", name: str = ""
    ) -> InterceptRule:
        """Validate a definition (as the API and CLI receive it); ``RuleError`` names
        the first bad field."""
        if not isinstance(data, Mapping):
            raise RuleError("rule: expected an object")
        event = _text(data, "event", required=True)
        unless = _text(data, "unless") or None
        min_count = _int(data, "min_count", 1, low=1, high=1000)
        within = timedelta(seconds=_num(data, "within_seconds", 3600.0, low=1.0))
        delay_s = data.get("delay_seconds")
        delay = (
            None if delay_s is None else timedelta(seconds=_num(data, "delay_seconds", 0, low=1))
        )
        if delay is not None and min_count != 1:
            raise RuleError("min_count: a delayed rule fires on one event (leave min_count at 1)")
        rate = _num(data, "sampling_rate", 1.0, low=0.0)
        if rate > 1:
            raise RuleError("sampling_rate: must be between 0 and 1")
        channel = str(data.get("channel", "intercept"))
        if channel not in CHANNELS:
            raise RuleError(f"channel: must be one of {', '.join(CHANNELS)}, not {channel!r}")
        study = data.get("study_id")
        if study is not None and (not isinstance(study, int) or isinstance(study, bool)):
            raise RuleError("study_id: must be a study's integer id")
        return cls(
            event=event,
            offer=_offer(data.get("offer")),
            min_count=min_count,
            within=within,
            filters=_filters(data.get("filters", [])),
            unless=unless,
            delay=delay,
            sampling_rate=rate,
            channel=channel,
            study_id=study,
            id=id,
            project=project,
            name=name,
        )


def _text(data: Mapping[str, Any], key: str, *, required: bool = False, where: str = "") -> str:
    value = data.get(key)
    if (value is None or value == "") and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}{key}: expected a non-empty text")
    if len(value) > 2000:
        raise RuleError(f"{where}{key}: longer than 2000 characters")
    return value.strip()


def _num(data: Mapping[str, Any], key: str, default: float, *, low: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"{key}: expected a number, got {value!r}")
    if value < low:
        raise RuleError(f"{key}: must be at least {low:g}")
    return float(value)


def _int(data: Mapping[str, Any], key: str, default: int, *, low: int, high: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(f"{key}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _filters(raw: object) -> tuple[PropertyFilter, ...]:
    if not isinstance(raw, list):
        raise RuleError("filters: expected a list of {key, op, value}")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise RuleError(f"filters[{i}]: expected an object")
        op = str(item.get("op", "eq"))
        if op not in FILTER_OPS:
            raise RuleError(f"filters[{i}].op: must be one of {', '.join(FILTER_OPS)}")
        if op == "in" and not isinstance(item.get("value"), list):
            raise RuleError(f"filters[{i}].value: 'in' needs a list")
        out.append(
            PropertyFilter(
                _text(item, "key", required=True, where=f"filters[{i}]."), op, item.get("value")
            )
        )
    return tuple(out)


def _offer(raw: object) -> Offer:
    if not isinstance(raw, Mapping):
        raise RuleError("offer: expected {title, why, minutes, incentive?, link?, questions?}")
    questions = raw.get("questions", [])
    if not isinstance(questions, list) or len(questions) > 2:
        raise RuleError("offer.questions: at most two open questions")
    link = _text(raw, "link", where="offer.") or None
    if link is not None and not link.startswith(("https://", "http://", "/")):
        raise RuleError("offer.link: must be an http(s) URL or a path on this server")
    if link is None and not questions:
        raise RuleError("offer: give a link (interview, scheduling) or one or two questions")
    return Offer(
        title=_text(raw, "title", required=True, where="offer."),
        why=_text(raw, "why", required=True, where="offer."),
        minutes=_int(raw, "minutes", 5, low=1, high=240),
        incentive=_text(raw, "incentive", where="offer."),
        link=link,
        questions=tuple(
            _text({"q": q}, "q", required=True, where=f"offer.questions[{i}].")
            for i, q in enumerate(questions)
        ),
    )
