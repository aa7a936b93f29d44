"""``fieldnote segments create --kind trend-point / retention-cell``: the users behind a
trend point or a retention cell, from the store file and through the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.test_analytics_cli import _seed
from tests.conftest import run_cli, start_server


def _cli(home: Path, *args: str, check: bool = True) -> dict[str, Any]:
    done = run_cli(home, *args, "--project", "saas", "--json", check=check)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _ids(found: dict[str, Any]) -> list[str]:
    return sorted(i for m in found["members"] for i in m["distinct_ids"])


def test_trend_point_and_retention_cell_segments(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    saved = _cli(
        home,
        "segments", "create", "ios signups on day one", "--kind", "trend-point",
        "--event", "signup where platform=ios", "--period", "2026-03-02",
    )  # fmt: skip
    assert saved["kind"] == "trend-point"
    assert saved["definition"] == {
        "kind": "trend-point",
        "event": "signup where platform=ios",
        "interval": "day",
        "period": "2026-03-02",
    }
    _cli(
        home,
        "segments", "create", "signed up week 1, no connect in week 3",
        "--kind", "retention-cell", "--start", "signup", "--return", "connect_integration",
        "--cohort", "2026-03-02", "--offset", "2", "--not-returned",
    )  # fmt: skip
    _cli(
        home,
        "segments", "create", "connected in week 3", "--kind", "retention-cell",
        "--start", "signup", "--return", "connect_integration", "--interval", "week",
        "--cohort", "2026-03-02", "--offset", "2",
    )  # fmt: skip
    ios = _cli(home, "segments", "members", "ios signups on day one")
    assert ios["size"] == 2 and _ids(ios) == ["ben", "cat"]
    assert ios["description"] == "did signup where platform=ios on 2026-03-02"
    # ben and cat connected 20 days after signing up: in the week two after the cohort's
    back = _cli(home, "segments", "members", "connected in week 3")
    assert _ids(back) == ["ben", "cat"]
    gone = _cli(home, "segments", "members", "signed up week 1, no connect in week 3")
    assert gone["size"] == 3 and _ids(gone) == ["ana", "anon-7", "dan@x", "eve"]
    assert all(m["furthest_step"] is None for m in gone["members"])
    listed = {s["name"]: s for s in _cli(home, "segments", "list")["segments"]}
    assert listed["connected in week 3"]["definition"]["kind"] == "retention-cell"
    server = start_server(home)
    try:
        assert _cli(home, "segments", "members", "connected in week 3") == back
        shown = _cli(home, "segments", "show", "ios signups on day one")
    finally:
        server.stop()
    assert shown["size"] == 2 and "members" not in shown


def test_bad_kind_options_are_refused_with_the_reason(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    cases = [
        (["--kind", "cohort"], "unknown segment kind 'cohort'"),
        (["--kind", "trend-point", "--period", "2026-03-02"], "needs --event"),
        (
            [
                "--kind",
                "trend-point",
                "--event",
                "signup",
                "--interval",
                "week",
                "--period",
                "2026-03-04",
            ],
            "starts on a Monday",
        ),
        (["--kind", "retention-cell", "--cohort", "2026-03-02", "--not-returned"], "--offset"),
        (["--kind", "retention-cell", "--cohort", "March"], "a date, YYYY-MM-DD"),
        (["--step", "signup", "--step", "activated"], "exactly one of --reached"),
    ]
    for args, why in cases:
        out = _cli(home, "segments", "create", "x", *args, check=False)
        assert why in out["error"], (args, out)
    assert _cli(home, "segments", "list")["segments"] == []
