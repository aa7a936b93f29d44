"""``fieldnote funnel`` on a small SaaS story, from the store file and through the server."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.events import Event, events_to_arrow
from tests.conftest import run_cli, start_server

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# (distinct_id, event, minutes after T0, properties)
STORY: list[tuple[str, str, float, dict[str, Any]]] = [
    # ana (web): signs up, connects, activates within the day
    ("ana", "signup", 0, {"platform": "web", "channel": "ads"}),
    ("ana", "connect_integration", 30, {"platform": "web"}),
    ("ana", "activated", 90, {"platform": "web"}),
    # ben (ios): connects after 20 days: outside a 14-day window from his only signup
    ("ben", "signup", 10, {"platform": "ios", "channel": "organic"}),
    ("ben", "connect_integration", 20 * 24 * 60, {"platform": "ios"}),
    # cat (ios): signs up, comes back 20 days later, signs up again and converts
    ("cat", "signup", 5, {"platform": "ios", "channel": "organic"}),
    ("cat", "signup", 20 * 24 * 60, {"platform": "ios", "channel": "ads"}),
    ("cat", "connect_integration", 20 * 24 * 60 + 60, {"platform": "ios"}),
    # dan (android) browses anonymously, then logs in as dan@x: one person
    ("anon-7", "signup", 15, {"platform": "android", "channel": "ads"}),
    ("anon-7", "$identify", 16, {"$anon_distinct_id": "anon-7"}),
    ("dan@x", "connect_integration", 45, {"platform": "android"}),
    # eve activates before connecting: out of order, so she stops at connect
    ("eve", "signup", 20, {"platform": "web", "channel": "ads"}),
    ("eve", "activated", 25, {"platform": "web"}),
    ("eve", "connect_integration", 26, {"platform": "web"}),
]


def _seed(home: Path) -> None:
    fn = Fieldnote(Settings(home=home))
    fn.projects.create("saas")
    events = []
    for i, (did, name, minutes, props) in enumerate(STORY):
        if name == "$identify":  # PostHog's identify: the anonymous id merges into did
            did = "dan@x"
        events.append(
            Event(
                uuid=str(uuid.UUID(int=i + 1)),
                project="saas",
                distinct_id=did,
                event=name,
                timestamp=T0 + timedelta(minutes=minutes),
                properties_json=orjson.dumps(props).decode(),
            )
        )
    store = fn.open_event_store()
    store.append(events_to_arrow(events))
    store.close()
    fn.close()


def _funnel(home: Path, *args: str) -> dict[str, Any]:
    out = run_cli(home, "funnel", "--project", "saas", *args, "--json").stdout
    result: dict[str, Any] = json.loads(out)
    return result


STEPS = ["--step", "signup", "--step", "connect_integration", "--step", "activated"]


def test_funnel_counts_each_user_once_within_the_window(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    data = _funnel(home, *STEPS, "--window", "14d")
    counts = [s["count"] for s in data["steps"]]
    # signup: all five people (dan's anonymous signup is his); connect: ana, cat
    # (second signup), dan, eve; activated: ana only (eve's activation came first)
    assert counts == [5, 4, 1]
    second = data["steps"][1]
    assert second["conversion_from_previous"] == 0.8
    assert second["dropped_from_previous"] == 1
    assert second["ci_low"] < 0.8 < second["ci_high"]
    # eve 6 min, ana 30, dan 30, cat 60 → median 30 min
    assert second["median_seconds_to_convert"] == 1800.0
    assert data["steps"][2]["median_seconds_to_convert"] == 3600.0

    wide = _funnel(home, *STEPS, "--window", "30d")
    assert [s["count"] for s in wide["steps"]] == [5, 5, 1]  # ben converts in 30 days


def test_breakdown_by_first_step_property_and_step_filters(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    data = _funnel(home, *STEPS, "--breakdown", "channel")
    by = {v["value"]: [s["count"] for s in v["steps"]] for v in data["breakdown"]["values"]}
    # cat's first signup was organic (no conversion within 14 days), her second ads
    assert by == {"ads": [4, 4, 1], "organic": [2, 0, 0]}
    assert [s["count"] for s in data["steps"]] == [5, 4, 1]

    ios = _funnel(home, "--step", "signup where platform=ios", "--step", "connect_integration")
    assert [s["count"] for s in ios["steps"]] == [2, 1]
    early = _funnel(home, *STEPS, "--from", "2026-03-02", "--to", "2026-03-02")
    assert [s["count"] for s in early["steps"]] == [5, 3, 1]  # cat's 2nd signup is later


def test_the_cli_asks_the_server_that_owns_the_store_and_gets_the_same_answer(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    _seed(home)
    direct = _funnel(home, *STEPS, "--breakdown", "platform", "--strict")
    server = start_server(home)
    try:
        via_server = _funnel(home, *STEPS, "--breakdown", "platform", "--strict")
        bad = run_cli(home, "funnel", "-p", "saas", "--step", "signup", "--json", check=False)
        anonymous = __import__("httpx").get(
            f"{server.url}/api/projects/saas/analytics/funnel", params={"step": ["a", "b"]}
        )
    finally:
        server.stop()
    assert via_server == direct
    assert bad.returncode != 0 and "at least two steps" in json.loads(bad.stdout)["error"]
    assert anonymous.status_code == 401


def test_a_step_that_cannot_be_read_is_refused_with_the_reason(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    proc = run_cli(
        home,
        "funnel",
        "-p",
        "saas",
        "--step",
        "signup where platform",
        "--step",
        "x",
        "--json",
        check=False,
    )
    assert proc.returncode != 0
    assert "needs an operator" in json.loads(proc.stdout)["error"]


def _funnel_like(home: Path, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(run_cli(home, *args, "--project", "saas", "--json").stdout)
    return result


def _trend(home: Path, *args: str) -> dict[str, Any]:
    out = run_cli(home, "trend", *args, "--project", "saas", "--json").stdout
    result: dict[str, Any] = json.loads(out)
    return result


def test_trends_from_the_file_and_through_the_server_agree(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    days = ["--from", "2026-03-02", "--to", "2026-03-22"]  # three whole weeks
    asks = [
        ("events", "signup", "--measure", "users", "--interval", "week", *days),
        ("activation", "--target", "connect_integration", "--within", "14d", *days),
        ("stickiness", "--from", "2026-03-02", "--to", "2026-03-04"),
        ("churn", "--interval", "week", *days),
    ]
    retention = (
        "retention",
        "--start",
        "signup",
        "--return",
        "connect_integration",
        "--interval",
        "week",
        "--periods",
        "3",
        *days,
    )
    direct = [_trend(home, *a) for a in asks]
    cohorts = _funnel_like(home, *retention)["cohorts"]
    # first signups all fall in the week of Mar 2 (cat's second one is not her first);
    # ben connects in week +2 (day 20), cat in week +2 as well (day 20)
    assert [c["size"] for c in cohorts] == [5, 0, 0]
    assert [r["count"] for r in cohorts[0]["retained"]] == [0, 2, 0]
    signups = [p["value"] for p in direct[0]["series"][0]["points"]]
    assert signups == [5.0, 0.0, 1.0]  # week of Mar 2: five people; Mar 16: cat again
    activation = direct[1]["series"][0]["points"]
    # of the five who signed up in the first week, ana, dan and eve connected in 14 days
    assert (activation[0]["count"], activation[0]["base"]) == (3, 5)
    dau = next(s for s in direct[2]["series"] if s["name"] == "dau")["points"]
    assert [p["value"] for p in dau] == [5.0, 0.0, 0.0]
    server = start_server(home)
    try:
        via_server = [_trend(home, *a) for a in asks]
        cohorts_via_server = _funnel_like(home, *retention)["cohorts"]
    finally:
        server.stop()
    assert via_server == direct
    assert cohorts_via_server == cohorts


def test_explain_attributes_the_drop_from_the_cli_and_the_server(tmp_path: Path) -> None:
    from tests.analytics.test_explain import _cohort

    planted = [
        *_cohort(0, "ads", "web", 50, 15),
        *_cohort(0, "organic", "ios", 50, 30),
        *_cohort(2, "ads", "web", 80, 24),
        *_cohort(2, "organic", "ios", 20, 4),
    ]
    home = tmp_path / "home"
    fn = Fieldnote(Settings(home=home))
    fn.projects.create("saas")
    store = fn.open_event_store()
    store.append(
        events_to_arrow(
            [
                Event(
                    uuid=str(uuid.UUID(int=i + 1)),
                    project="saas",
                    distinct_id=e.distinct_id,
                    event=e.event,
                    timestamp=datetime.fromtimestamp(e.ts / 1e6, UTC),
                    properties_json=orjson.dumps(e.props).decode(),
                )
                for i, e in enumerate(planted)
            ]
        )
    )
    store.close()
    fn.close()
    ask = (
        "explain",
        "activation",
        "--start",
        "signup",
        "--target",
        "activated",
        "--within",
        "1d",
        "--before",
        "2026-03-02..2026-03-08",
        "--after",
        "2026-03-16..2026-03-22",
        "--by",
        "channel,platform",
    )
    direct = _funnel_like(home, *ask)
    assert (direct["before"]["users"], direct["after"]["users"]) == (100, 100)
    channel = direct["dimensions"][0]
    assert channel["dimension"] == "event.channel"
    assert channel["mix"] + channel["rate"] == pytest.approx(direct["change"])
    organic = next(s for s in channel["segments"] if s["value"] == "organic")
    assert (organic["rate_before"], organic["rate_after"]) == (0.6, 0.2)
    assert organic["significant"]
    human = run_cli(home, *ask, "--project", "saas").stdout
    assert "by event.channel" in human and "organic" in human
    server = start_server(home)
    try:
        via_server = _funnel_like(home, *ask)
    finally:
        server.stop()
    assert via_server == direct


def test_funnel_on_a_parquet_export_equals_the_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    run_cli(home, "export", str(tmp_path / "export"), "--json")
    from_store = _funnel(home, *STEPS, "--breakdown", "channel")
    from_export = _funnel(
        home, *STEPS, "--breakdown", "channel", "--export", str(tmp_path / "export")
    )
    assert from_export == from_store


def test_saved_segments_from_the_cli_and_through_the_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    steps = ["--step", "signup", "--step", "connect_integration"]
    run_cli(
        home,
        "segments",
        "create",
        "never connected",
        *steps,
        "--dropped-after",
        "1",
        "-p",
        "saas",
        "--json",
    )
    run_cli(home, "segments", "create", "connected", *steps, "--reached", "2", "-p", "saas")
    twice = run_cli(
        home,
        "segments",
        "create",
        "connected",
        *steps,
        "--reached",
        "2",
        "-p",
        "saas",
        "--json",
        check=False,
    )
    assert twice.returncode != 0 and "already has" in json.loads(twice.stdout)["error"]
    listed = _funnel_like(home, "segments", "list")["segments"]
    assert [s["name"] for s in listed] == ["connected", "never connected"]
    stuck = _funnel_like(home, "segments", "members", "never connected")
    assert stuck["size"] == 1  # ben: his connect came 20 days after his signup
    assert stuck["members"][0]["distinct_ids"] == ["ben"]
    connected = _funnel_like(home, "segments", "members", "connected")
    ids = sorted(i for m in connected["members"] for i in m["distinct_ids"])
    assert ids == ["ana", "anon-7", "cat", "dan@x", "eve"]  # dan is one person, two ids
    size = _funnel_like(home, "segments", "show", "connected")
    assert size["size"] == 4 and "members" not in size
    server = start_server(home)
    try:
        assert _funnel_like(home, "segments", "members", "connected") == connected
        assert _funnel_like(home, "segments", "show", "connected") == size
        audit = _funnel_like(home, "audit")
    finally:
        server.stop()
    assert any(e["target"] == "segment:connected" for e in audit["entries"])
