"""A diary study's definition: the prompts and when each is sent.

A diary asks the same participant short questions over days, in the moment, instead
of asking them to remember weeks later. The schedule is expanded once, at enrolment,
into a finite list of ``Occurrence``s (which prompt, due when, in UTC), so "what is
due" is a plain query and every email sent is one stored row (never two for the same
prompt). Schedules are a registry (``SCHEDULES``): ``daily`` at a local clock time in
the participant's time zone for N days, or ``offsets`` in hours after enrolment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "SCHEDULES",
    "DailySchedule",
    "DiaryDefinition",
    "DiaryError",
    "Occurrence",
    "OffsetSchedule",
    "Schedule",
    "check_prompts",
    "zone",
]

MAX_PROMPTS = 100
MAX_PROMPT_CHARS = 1000
MAX_OCCURRENCES = 366
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class DiaryError(ValueError):
    """A diary definition, enrolment or entry that cannot be used; the message says
    what and where."""


@dataclass(frozen=True, kw_only=True)
class Occurrence:
    """One prompt to send: ``seq`` counts from 0 in due order."""

    seq: int
    prompt: str
    due_at: datetime


class Schedule(Protocol):
    @property
    def kind(self) -> str: ...

    def due_times(self, enrolled_at: datetime, tz: ZoneInfo) -> list[datetime]: ...

    def to_dict(self) -> dict[str, Any]: ...


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. ``Europe/Berlin``), or a precise error."""
    if not name or (name not in available_timezones() and name != "UTC"):
        raise DiaryError(f"timezone: {name!r} is not an IANA time zone such as Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DiaryError(f"timezone: {name!r} is not an IANA time zone ({exc})") from exc


@dataclass(frozen=True)
class DailySchedule:
    """Every day at ``at`` (HH:MM, the participant's local time) for ``days`` days,
    starting with the first such time after enrolment. Local time, so a prompt meant
    for the evening stays in the evening across a daylight-saving change."""

    at: time
    days: int
    kind: str = "daily"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DailySchedule:
        at = data.get("at")
        match = _CLOCK.match(at) if isinstance(at, str) else None
        if match is None:
            raise DiaryError(f"schedule.at: expected a clock time HH:MM such as 19:00, got {at!r}")
        days = data.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_OCCURRENCES:
            raise DiaryError(f"schedule.days: expected a whole number 1-{MAX_OCCURRENCES}")
        return cls(at=time(int(match[1]), int(match[2])), days=days)

    def due_times(self, enrolled_at: datetime, tz: ZoneInfo) -> list[datetime]:
        local = enrolled_at.astimezone(tz)
        first = local.date()
        if datetime.combine(first, self.at, tz) <= local:
            first += timedelta(days=1)
        return [
            datetime.combine(first + timedelta(days=d), self.at, tz).astimezone(UTC)
            for d in range(self.days)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at.strftime("%H:%M"), "days": self.days}


@dataclass(frozen=True)
class OffsetSchedule:
    """Prompts ``hours`` after enrolment (e.g. ``[0, 24, 72]``): for diaries tied to an
    event, such as the first days after a signup."""

    hours: tuple[float, ...]
    kind: str = "offsets"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OffsetSchedule:
        hours = data.get("hours")
        if not isinstance(hours, list) or not 1 <= len(hours) <= MAX_OCCURRENCES:
            raise DiaryError(
                f"schedule.hours: expected a list of 1-{MAX_OCCURRENCES} hours after enrolment"
            )
        for i, h in enumerate(hours):
            if not isinstance(h, int | float) or isinstance(h, bool) or not 0 <= h <= 24 * 366:
                raise DiaryError(f"schedule.hours[{i}]: expected 0-{24 * 366} hours, got {h!r}")
        if list(hours) != sorted(hours):
            raise DiaryError("schedule.hours: offsets must be in increasing order")
        return cls(hours=tuple(float(h) for h in hours))

    def due_times(self, enrolled_at: datetime, tz: ZoneInfo) -> list[datetime]:
        return [enrolled_at.astimezone(UTC) + timedelta(hours=h) for h in self.hours]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "hours": [int(h) if h.is_integer() else h for h in self.hours]}


SCHEDULES: dict[str, Callable[[Mapping[str, Any]], Schedule]] = {
    "daily": DailySchedule.from_dict,
    "offsets": OffsetSchedule.from_dict,
}


@dataclass(frozen=True, kw_only=True)
class DiaryDefinition:
    """Prompts (asked in turn, round-robin) on a schedule. An entry may be written
    until ``answer_within_hours`` after its prompt was sent; a prompt left without an
    entry by then counts as missed."""

    prompts: tuple[str, ...]
    schedule: Schedule
    answer_within_hours: float = 24.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DiaryDefinition:
        prompts = data.get("prompts")
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_PROMPTS:
            raise DiaryError(f"prompts: expected a list of 1-{MAX_PROMPTS} prompt texts")
        for i, p in enumerate(prompts):
            if not isinstance(p, str) or not p.strip() or len(p) > MAX_PROMPT_CHARS:
                raise DiaryError(f"prompts[{i}]: expected text of 1-{MAX_PROMPT_CHARS} characters")
        schedule = data.get("schedule")
        if not isinstance(schedule, Mapping):
            raise DiaryError('schedule: expected an object such as {"kind": "daily", ...}')
        kind = schedule.get("kind")
        if kind not in SCHEDULES:
            raise DiaryError(f"schedule.kind: expected one of {', '.join(SCHEDULES)}, got {kind!r}")
        window = data.get("answer_within_hours", 24)
        if (
            not isinstance(window, int | float)
            or isinstance(window, bool)
            or not 0 < window <= 24 * 30
        ):
            raise DiaryError("answer_within_hours: expected more than 0 and at most 720 hours")
        unknown = set(data) - {"prompts", "schedule", "answer_within_hours"}
        if unknown:
            raise DiaryError(f"unknown field(s): {', '.join(sorted(unknown))}")
        return cls(
            prompts=tuple(p.strip() for p in prompts),
            schedule=SCHEDULES[kind](schedule),
            answer_within_hours=float(window),
        )

    def occurrences(self, enrolled_at: datetime, tz: ZoneInfo) -> list[Occurrence]:
        """Every prompt this participant will get, in due order."""
        times = self.schedule.due_times(enrolled_at, tz)
        return [
            Occurrence(seq=i, prompt=self.prompts[i % len(self.prompts)], due_at=t)
            for i, t in enumerate(times)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompts": list(self.prompts),
            "schedule": self.schedule.to_dict(),
            "answer_within_hours": self.answer_within_hours,
        }


def check_prompts(prompts: Sequence[str]) -> list[dict[str, Any]]:
    """Linter findings per prompt (a leading diary prompt biases every entry)."""
    from fieldnote.interviews.linting import lint_question

    out: list[dict[str, Any]] = []
    for i, p in enumerate(prompts):
        linted = lint_question(p)
        out.extend({"prompt": i, **issue.to_dict()} for issue in linted.issues)
    return out
