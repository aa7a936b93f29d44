"""``fieldnote detect SERIES.csv --json`` through the real CLI: the planted anomaly is
reported with its reason; a broken file is refused naming the line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from tests.conftest import run_cli


def test_detect_reports_the_planted_anomaly(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    lines = ["timestamp,value"]
    for h in range(24 * 28):  # four weeks of hourly points, daily shape
        value = 100 + 50 * np.sin(2 * np.pi * (h % 24) / 24) + rng.normal(0, 3)
        if h == 24 * 25 + 10:
            value *= 3
        if h % 97 == 5:
            continue  # missing points
        at = start + timedelta(hours=h)
        lines.append(f"{at.strftime('%Y-%m-%d %H:%M:%S')},{value:.2f}")
    csv = tmp_path / "series.csv"
    csv.write_text("\n".join(lines) + "\n")
    out = json.loads(run_cli(tmp_path / "home", "detect", str(csv), "--json").stdout)
    assert out["interval_seconds"] == 3600 and out["season_points"] == 24
    planted = (start + timedelta(hours=24 * 25 + 10)).isoformat()
    found = {a["timestamp"]: a for a in out["anomalies"]}
    assert planted in found
    assert "above the expected" in found[planted]["reason"]
    assert set(found[planted]) == {"timestamp", "value", "expected", "score", "reason"}


def test_detect_refuses_a_broken_file(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("timestamp,value\n2026-01-01,1\n2026-01-02,lots\n")
    proc = run_cli(tmp_path / "home", "detect", str(csv), "--json", check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {"error": f"{csv}:3: value 'lots' is not a number"}
    missing = run_cli(tmp_path / "home", "detect", str(tmp_path / "nope.csv"), check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
