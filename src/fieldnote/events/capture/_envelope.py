"""The request around the events: where the key is, where the events are, and the
all-or-nothing validation loop both parsers share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldnote.events._model import Event
from fieldnote.events.capture._errors import MAX_REPORTED_ERRORS, CaptureError, FieldError
from fieldnote.events.capture._values import CaptureLimits, Invalid

__all__ = ["Envelope", "validate_all"]


@dataclass(slots=True)
class Envelope:
    """A decoded request before authentication: the key it carries and its raw messages.

    ``container`` is where the messages sat in the body (``"batch"``, ``"data"``, ``""``
    for a top-level array, None for a single event); error messages use it so that
    ``batch[3].timestamp`` points at exactly what the client sent.
    """

    key: str | None
    messages: list[Any]
    container: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    def where(self, index: int, path: str | None) -> str:
        prefix = "" if self.container is None else f"{self.container}[{index}]"
        if path is None:
            return prefix or "body"
        return f"{prefix}.{path}" if prefix else path


def validate_all(
    envelope: Envelope, limits: CaptureLimits, parse_one: Callable[[Any], Event]
) -> list[Event]:
    """Parse every message, collecting errors: a request is written whole or not at all."""
    n = len(envelope.messages)
    name = envelope.container or "batch"
    if n == 0:
        raise CaptureError.one(400, f"{name}: is empty; send at least one event", field=name)
    if n > limits.max_batch_events:
        raise CaptureError.one(
            413,
            f"{name}: {n} events is more than the limit of {limits.max_batch_events} per request",
            field=name,
        )
    events: list[Event] = []
    errors: list[FieldError] = []
    for i, message in enumerate(envelope.messages):
        try:
            events.append(parse_one(message))
        except Invalid as exc:
            where = envelope.where(i, exc.field)
            errors.append(FieldError(f"{where}: {exc.reason}", i, exc.field))
            if len(errors) >= MAX_REPORTED_ERRORS:
                break
    if errors:
        raise CaptureError(400, errors)
    return events
