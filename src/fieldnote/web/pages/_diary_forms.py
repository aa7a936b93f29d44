"""The researcher's diary forms: a new diary from the list page, a new participant
from a diary's page. Form fields become the same definition and enrolment the API
and the CLI take (``DiaryDefinition.from_dict``, ``enrol_participant``), so the
checks and messages are the same; a refused form comes back (422) with the message
and the values typed, and nothing written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldnote.interviews.diaries import DiaryError

__all__ = ["AGREE_PARTS", "definition_from_form"]

AGREE_PARTS = ("data_use", "contact", "recording")


def _number(form: Mapping[str, str], key: str, kind: type[int] | type[float]) -> int | float:
    raw = form.get(key, "").strip()
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise DiaryError(f"{key}: expected {what}, got {raw!r}") from None


def definition_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """prompts (one per line), schedule_kind daily (at, days) or offsets (hours,
    comma-separated), answer_within_hours: the JSON definition."""
    prompts = [line.strip() for line in form.get("prompts", "").splitlines() if line.strip()]
    kind = form.get("schedule_kind", "")
    schedule: dict[str, Any] = {"kind": kind}
    if kind == "daily":
        schedule["at"] = form.get("at", "").strip()
        schedule["days"] = _number(form, "days", int)
    elif kind == "offsets":
        hours = [h.strip() for h in form.get("hours", "").split(",") if h.strip()]
        try:
            schedule["hours"] = [float(h) for h in hours]
        except ValueError:
            raise DiaryError(
                f"hours: expected numbers separated by commas, got {form.get('hours', '')!r}"
            ) from None
    return {
        "prompts": prompts,
        "schedule": schedule,
        "answer_within_hours": _number(form, "answer_within_hours", float),
    }
