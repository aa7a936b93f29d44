"""Fixtures for the importer's tests: a real DuckDB event store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldnote.events import DuckDBEventStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBEventStore]:
    s = DuckDBEventStore(tmp_path / "events.duckdb", threads=2)
    yield s
    s.close()
