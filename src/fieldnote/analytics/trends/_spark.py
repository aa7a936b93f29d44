"""Trend, retention and segment queries on Spark: run the generated SQL, fetch columns.

The SQL itself is the same text as on DuckDB, rendered in Spark's dialect
(``_sql.DIALECTS``); only running it and handing the result over differ. Spark
collects through Arrow, so the columns arrive as the same numpy types DuckDB's
``fetchnumpy`` gives (BIGINT as int64, DOUBLE as float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fieldnote.analytics._sources import SparkSource
from fieldnote.analytics._sql import Params

__all__ = ["spark_fetch"]


def spark_fetch(source: SparkSource, sql: str, params: Params) -> dict[str, Any]:
    """Columns as numpy arrays, in the order the query returns its rows."""
    table = source.session.sql(sql, args=params.used_in(sql)).toArrow()
    return {
        name: np.asarray(table.column(name).to_numpy(zero_copy_only=False))
        for name in table.column_names
    }
