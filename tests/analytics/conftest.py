"""One local SparkSession for every Spark test in the run (Spark allows one per process)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Any:
    pytest.importorskip("pyspark")
    from fieldnote.events.engines import local_spark_session

    return local_spark_session("local[2]", shuffle_partitions=2)


@pytest.fixture(scope="session")
def parity(spark: Any) -> Any:
    """The parity events on DuckDB and on Spark (``_parity_data``), loaded once."""
    from tests.analytics._parity_data import load_parity

    return load_parity(spark)
