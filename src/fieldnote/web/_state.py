"""What every request handler reaches through ``request.app.state.fieldnote``."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from fieldnote._core import Fieldnote
from fieldnote.analytics.overview import OverviewService
from fieldnote.events import DuckDBEventStore, EventSink, GroupCommitWriter
from fieldnote.repository import ProjectInfo
from fieldnote.web._ratelimit import LoginLimiter

__all__ = ["AppState", "KeyCache"]


@dataclass
class KeyCache:
    """Write key → project, cached: capture must not hit the repository per request.

    Misses are re-checked at most every ``miss_ttl`` seconds so a project created by
    the CLI while the server runs becomes usable at once, yet a flood of wrong keys
    cannot hammer the database.
    """

    fieldnote: Fieldnote
    miss_ttl: float = 1.0
    _hits: dict[str, ProjectInfo] = field(default_factory=dict)
    _misses: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def project_name(self, key: str) -> str | None:
        """The name of the project whose write key ``key`` is, or None."""
        info = self.project_for_write_key(key)
        return None if info is None else info.name

    def project_for_write_key(self, key: str) -> ProjectInfo | None:
        hit = self._hits.get(key)
        if hit is not None:
            return hit
        now = time.monotonic()
        missed = self._misses.get(key)
        if missed is not None and now - missed < self.miss_ttl:
            return None
        found = self.fieldnote.projects.by_write_key(key)
        with self._lock:
            if found is None:
                if len(self._misses) > 10_000:
                    self._misses.clear()
                self._misses[key] = now
            else:
                self._hits[key] = found
        return found


@dataclass
class AppState:
    fieldnote: Fieldnote
    sink: EventSink
    writer: GroupCommitWriter
    store: DuckDBEventStore | None
    keys: KeyCache
    admin_token: str | None = None
    # Web app: overview aggregates (None in scale-out mode) and the sign-in limiter.
    overview: OverviewService | None = None
    login_limiter: LoginLimiter | None = None
