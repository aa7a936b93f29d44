"""Run an evidence computation on the project's events from the CLI.

On a Parquet export (``--export DIR``) with the chosen engine, else on the event
store file opened read-only; a running server owns the store, so then the command
says how to proceed instead of failing on DuckDB's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import typer

from fieldnote.analytics import store_source
from fieldnote.cli._analytics import on_export
from fieldnote.cli._context import fail, get_state, refusing

__all__ = ["with_events"]


def with_events(
    ctx: typer.Context,
    project: str,
    as_json: bool,
    compute: Callable[[Any], dict[str, Any]],
    *,
    export: Path | None = None,
    engine: str = "duckdb",
) -> dict[str, Any]:
    if export is not None:
        return on_export(engine, export, project, as_json, compute)
    fn = get_state(ctx).fieldnote
    if fn.home.running_server() is not None:
        fail(
            "a running server owns the event store: use the API or web page, or run "
            "`fieldnote export DIR` and add --export DIR",
            as_json=as_json,
        )
    store = fn.open_event_store(read_only=True)
    with closing(store), refusing(ValueError, as_json=as_json):
        return compute(store_source(store.connection, project))
