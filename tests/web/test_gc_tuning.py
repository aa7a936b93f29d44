"""The served app tunes the garbage collector for capture, and gives the settings back.

``fieldnote serve`` owns its process: once started it freezes what start-up loaded and
raises the collection thresholds (a capture request's objects are freed by reference
counting, so the default young-generation threshold of 700 only made the collector
walk live, in-flight requests). An app built without ``tune_gc`` leaves them alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.web import create_app
from fieldnote.web._gc import SERVING_THRESHOLDS, tune_gc_for_serving


@pytest.fixture
def default_gc() -> Iterator[tuple[int, int, int]]:
    """Known thresholds before the test, and whatever was there restored after it."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    try:
        yield (700, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_tuning_freezes_start_up_objects_and_restore_undoes_it(
    default_gc: tuple[int, int, int],
) -> None:
    loaded_at_start_up = [[i] for i in range(1000)]  # container objects: tracked by gc
    restore = tune_gc_for_serving()
    assert gc.get_threshold() == SERVING_THRESHOLDS
    assert gc.get_freeze_count() >= len(loaded_at_start_up)
    assert gc.isenabled()  # cycles are still collected, later
    restore()
    assert gc.get_threshold() == default_gc
    assert gc.get_freeze_count() == 0


def test_cycles_are_still_collected_automatically_while_tuned(
    default_gc: tuple[int, int, int],
) -> None:
    collected: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected.append(info["collected"])

    restore = tune_gc_for_serving()
    gc.callbacks.append(seen)
    try:
        for _ in range(SERVING_THRESHOLDS[0] + 1000):  # unreachable cycles, no gc.collect()
            cycle: list[object] = []
            cycle.append(cycle)
        assert sum(collected) > 0
    finally:
        gc.callbacks.remove(seen)
        restore()


def test_served_app_tunes_while_running_and_restores_on_shutdown(
    tmp_path: Path, default_gc: tuple[int, int, int]
) -> None:
    home = tmp_path / "home"
    fn = Fieldnote(Settings(home=home), auto_create=True)
    try:
        key = fn.projects.create("shop").write_key
    finally:
        fn.close()
    with TestClient(create_app(Settings(home=home), tune_gc=True)) as client:
        assert gc.get_threshold() == SERVING_THRESHOLDS
        body = orjson.dumps({"api_key": key, "event": "signup", "distinct_id": "u1"})
        assert client.post("/e/", content=body).status_code == 200
    assert gc.get_threshold() == default_gc
    assert gc.get_freeze_count() == 0


def test_app_without_tuning_leaves_the_collector_alone(
    tmp_path: Path, default_gc: tuple[int, int, int]
) -> None:
    with TestClient(create_app(Settings(home=tmp_path / "home"))):
        assert gc.get_threshold() == default_gc
        assert gc.get_freeze_count() == 0
