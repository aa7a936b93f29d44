"""Failed sign-ins are limited per account and per client address.

Per account, so nobody can guess one person's password from many addresses; per
address, so one client cannot try many accounts. Only failures count, and a success
clears its account's failures. Counts live in the server's memory: a restart forgets
them, which costs an attacker a restart they cannot cause.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoginLimiter", "LoginRefusal"]

_MAX_KEYS = 100_000


@dataclass(frozen=True, kw_only=True)
class LoginRefusal:
    """Why a sign-in is refused before the password is even checked."""

    scope: str  # "account" or "address"
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        who = "this account" if self.scope == "account" else "your network address"
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed sign-in attempts for {who}. Try again in {minutes} {unit}."


class LoginLimiter:
    def __init__(
        self,
        *,
        per_account: int,
        per_ip: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"account": per_account, "address": per_ip}
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, account: str, ip: str | None) -> LoginRefusal | None:
        """A refusal when either bucket is full; None when a try is allowed."""
        now = self._clock()
        with self._lock:
            for scope, key in (("account", account), ("address", ip or "")):
                times = self._recent((scope, key), now)
                if len(times) >= self._limits[scope]:
                    wait = times[0] + self._window - now
                    return LoginRefusal(scope=scope, retry_after=max(1, math.ceil(wait)))
        return None

    def failed(self, account: str, ip: str | None) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > _MAX_KEYS:
                self._sweep(now)
            for key in (("account", account), ("address", ip or "")):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(("account", account), None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def _sweep(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
