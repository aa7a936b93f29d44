"""Pick an implementation from a name → factory registry, with a helpful error."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

__all__ = ["pick"]

T = TypeVar("T")


def pick(registry: Mapping[str, Callable[..., T]], name: str, what: str) -> Callable[..., T]:
    try:
        return registry[name]
    except KeyError:
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(registry)}") from None
