"""``--export DIR --engine spark``: every analytics command answers on Spark exactly as
it does on the store (each call starts its own local Spark, so the test is one pass)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_analytics_cli import _seed
from tests.conftest import run_cli

COMMANDS: dict[str, list[str]] = {
    "segments": ["segments", "members", "connected"],  # first: right after `create`
    "trend": [
        "trend",
        "events",
        "signup",
        "--measure",
        "users",
        "--interval",
        "day",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ],
    "retention": [
        "retention",
        "--start",
        "signup",
        "--interval",
        "week",
        "--periods",
        "4",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-22",
    ],
    "explain": [
        "explain",
        "conversion",
        "--step",
        "signup",
        "--step",
        "connect_integration",
        "--before",
        "2026-03-01..2026-03-10",
        "--after",
        "2026-03-11..2026-03-31",
        "--by",
        "channel,platform",
    ],
}


def _json(home: Path, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run_cli(home, *args, "-p", "saas", "--json").stdout)
    return data


@pytest.mark.spark
@pytest.mark.slow
def test_every_analytics_command_runs_on_spark(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    run_cli(
        home,
        "segments",
        "create",
        "connected",
        "--step",
        "signup",
        "--step",
        "connect_integration",
        "--reached",
        "2",
        "-p",
        "saas",
    )
    run_cli(home, "export", str(tmp_path / "export"))
    for name, args in COMMANDS.items():
        on_store = _json(home, *args)
        on_spark = _json(home, *args, "--export", str(tmp_path / "export"), "--engine", "spark")
        assert on_spark == on_store, name
        if name == "segments":
            assert on_store["size"] == 4  # ana, cat, dan (two ids), eve


def test_spark_without_an_export_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    out = run_cli(home, "retention", "-p", "saas", "--engine", "spark", "--json", check=False)
    assert out.returncode != 0
    assert "--export DIR" in json.loads(out.stdout)["error"]
