"""How many new participants a shareable link may start: per link and per client
address, in a sliding hour.

A shareable link is public once posted, so without a limit one script could fill a
study with made-up participants. Counts live in the server's memory (like sign-in
limits): a restart forgets them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SlidingLimit"]

_MAX_KEYS = 100_000


class SlidingLimit:
    def __init__(
        self,
        limit: int,
        *,
        window_seconds: float = 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """0 when one more is allowed now, else whole seconds until it is."""
        now = self._clock()
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) < self.limit:
                return 0
            return max(1, math.ceil(hits[0] + self.window - now))

    def take(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._hits) >= _MAX_KEYS and key not in self._hits:
                self._hits.pop(next(iter(self._hits)))
            self._recent(key, now).append(now)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits
