"""``fieldnote detect SERIES.csv``: the default detector on any ``timestamp,value`` CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fieldnote.cli._context import emit, refusing
from fieldnote.monitors import SeriesError, cooldown_for, detect, detector, read_csv, season_for

__all__ = ["register"]


def detect_command(
    series: Annotated[Path, typer.Argument(help="CSV with a 'timestamp,value' header.")],
    name: Annotated[
        str, typer.Option("--detector", "-d", help="seasonal (default), zscore or mad.")
    ] = "seasonal",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find anomalies in a series (any regular interval; the period is inferred)."""
    with refusing(SeriesError, ValueError, as_json=as_json):
        chosen = detector(name)
        data = read_csv(series)
    found = detect(data, chosen)
    out = {
        "series": str(series),
        "points": len(data),
        "interval_seconds": data.step,
        "season_points": season_for(data.step, len(data)),
        "cooldown_points": cooldown_for(data),
        "detector": chosen.name,
        "anomalies": [a.to_dict() for a in found],
    }
    if as_json:
        emit(out, as_json=True)
        return
    table = Table(title=f"{len(found)} anomalies in {len(data):,} points ({chosen.name})")
    for col in ("timestamp", "value", "score", "reason"):
        table.add_column(col)
    for a in found:
        table.add_row(a.timestamp, f"{a.value:g}", f"{a.score:.1f}", a.reason)
    emit(table, as_json=False)


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_command)
