"""One small demo, generated once per session into a real DuckDB event store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from fieldnote.demo import DemoConfig, Scenario, generate_demo
from fieldnote.events import DuckDBEventStore

#: Small enough to generate in about a second, large enough for stable rates.
SMALL = DemoConfig(users=3_000, days=90, seed=7, start=date(2026, 1, 5))


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBEventStore]:
    store = DuckDBEventStore(tmp_path_factory.mktemp("demo") / "events.duckdb")
    generate_demo(store, SMALL)
    yield store
    store.close()


@pytest.fixture
def con(demo_store: DuckDBEventStore) -> Iterator[duckdb.DuckDBPyConnection]:
    with demo_store.reader() as cur:
        yield cur


@pytest.fixture(scope="session")
def scenario(demo_store: DuckDBEventStore) -> Scenario:
    from fieldnote.demo import stored_scenario

    found = stored_scenario(demo_store.connection, SMALL.project)
    assert found is not None
    return found
