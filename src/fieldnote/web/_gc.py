"""Garbage-collector settings for a process whose main job is serving capture.

Measured under ``bench ingest`` (py-spy, and ``gc.callbacks`` timing): with CPython's
default thresholds (700, 10, 10) the cyclic collector took about 14 % of the server's
CPU at batch load. A 100-event request parses into a few hundred dicts that live
until the request is answered, so the count of young objects crosses 700 many times a
request; each crossing walks the young objects, survivors are promoted, and every few
seconds a full collection walks the whole heap (about 250,000 objects once the app is
loaded: modules, FastAPI routes, pydantic models), 50-250 ms each.

The allocations of a capture request are freed by reference counting when it is
answered, not by the collector, so at a first-generation threshold of 50,000 the
collector runs only when about that many container objects more are alive than at the
last collection (cyclic garbage, or a real backlog). ``gc.freeze()`` after start-up
moves everything loaded so far out of the collector's sight, so the full collections
that remain walk only what was created since. Nothing is disabled: cycles are still
collected, only later.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

__all__ = ["SERVING_THRESHOLDS", "tune_gc_for_serving"]

#: (young, middle, old) thresholds while serving; CPython's defaults are (700, 10, 10).
SERVING_THRESHOLDS = (50_000, 20, 10)


def tune_gc_for_serving() -> Callable[[], None]:
    """Collect once, freeze what start-up loaded, raise the thresholds.

    Returns the function that restores the previous thresholds and unfreezes (for a
    server that stops while its process goes on, as in tests).
    """
    previous = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_THRESHOLDS)

    def restore() -> None:
        gc.set_threshold(*previous)
        gc.unfreeze()

    return restore
