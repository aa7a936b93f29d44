"""What every analytics page shares: reading the store beside the writer, the project's
event names for pickers, field errors for inline messages, and number formatting.

Pages never raise on a bad question: the parsing library (``fieldnote.analytics.queries``)
names the field, and the page shows the message beside that control (status 422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from fieldnote.analytics import store_source
from fieldnote.analytics.queries import EventName, QueryError, event_names
from fieldnote.web._auth import state

__all__ = [
    "FieldErrors",
    "duration_text",
    "names_on_store",
    "on_store",
    "query_url",
]

T = TypeVar("T")


@dataclass
class FieldErrors:
    """Messages by field name (as the URL spells it); ``general`` for the rest."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, exc: QueryError | ValueError, default_field: str = "general") -> None:
        name = exc.field if isinstance(exc, QueryError) else default_field
        self.by_field.setdefault(name, exc.message if isinstance(exc, QueryError) else str(exc))

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def get(self, name: str) -> str | None:
        return self.by_field.get(name)

    def items(self) -> list[tuple[str, str]]:
        return list(self.by_field.items())


async def on_store(request: Request, project: str, compute: Callable[[Any], T]) -> T | None:
    """Run ``compute`` on the project's events in a worker thread; None in scale-out
    mode (no DuckDB store: the page says so)."""
    store = state(request).store
    if store is None:
        return None

    def run() -> T:
        with store.reader() as cur:
            return compute(store_source(cur, project))

    return await run_in_threadpool(run)


async def names_on_store(request: Request, project: str) -> list[EventName]:
    return await on_store(request, project, event_names) or []


def query_url(path: str, params: dict[str, Any]) -> str:
    """``path?query`` from canonical parameters (None and empty lists left out)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            pairs += [(key, str(v)) for v in value]
        else:
            pairs.append((key, str(value)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def duration_text(seconds: float | None) -> str:
    """``42s``, ``3.5m``, ``2.1h``, ``1.2d`` (``—`` when nobody converted)."""
    if seconds is None:
        return "—"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"
