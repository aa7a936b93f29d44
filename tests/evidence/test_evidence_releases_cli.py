"""``fieldnote releases create/list/verdict`` through the real console entry point, on
an event store holding a planted channel-mix shift around the release date."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.events import Event, events_to_arrow
from tests.conftest import run_cli
from tests.evidence.test_evidence_verdict import _cohort


def _seed(home: Path) -> None:
    planted = [
        *_cohort(False, "ads", 320, 64),
        *_cohort(False, "organic", 80, 48),
        *_cohort(True, "ads", 80, 16),
        *_cohort(True, "organic", 320, 192),
    ]
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


def test_release_verdict_from_the_cli_calls_the_mix_lift_confounded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    common = ("--project", "saas", "--json")
    made = run_cli(
        home, "releases", "create", "v2.4", "--at", "2026-03-16", "--metric", "activation",
        "--start", "signup", "--target", "activated", "--within", "1d", "--by", "channel",
        "--window", "14d", "--description", "new onboarding", *common,
    )  # fmt: skip
    assert json.loads(made.stdout)["released_at"] == "2026-03-16T00:00:00+00:00"
    listed = json.loads(run_cli(home, "releases", "list", *common).stdout)
    assert [r["name"] for r in listed["releases"]] == ["v2.4"]
    data = json.loads(run_cli(home, "releases", "verdict", "v2.4", *common).stdout)
    assert data["verdict"] == "confounded"
    assert (data["before"]["users"], data["after"]["users"]) == (400, 400)
    assert data["dimensions"][0]["mix"] > 0.2
    text = run_cli(home, "releases", "verdict", "v2.4", "--project", "saas").stdout
    assert "CONFOUNDED" in text and "28.0% of 400 before" in text


def test_bad_release_input_is_named_and_nothing_is_saved(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _seed(home)
    bad = run_cli(
        home, "releases", "create", "x", "--at", "yesterday", "--metric", "activation",
        "--by", "channel", "--project", "saas", "--json", check=False,
    )  # fmt: skip
    assert bad.returncode == 1 and "yesterday" in json.loads(bad.stdout)["error"]
    bad = run_cli(
        home, "releases", "create", "x", "--at", "2026-03-16", "--metric", "revenue",
        "--by", "channel", "--project", "saas", "--json", check=False,
    )  # fmt: skip
    assert bad.returncode == 1 and "unknown metric 'revenue'" in json.loads(bad.stdout)["error"]
    missing = run_cli(home, "releases", "verdict", "nope", "--project", "saas", check=False)
    assert missing.returncode == 1 and "no release 'nope'" in missing.stderr
    listed = json.loads(run_cli(home, "releases", "list", "--project", "saas", "--json").stdout)
    assert listed["releases"] == []
    run_cli(
        home, "releases", "create", "old", "--at", "2020-01-01", "--metric", "activation",
        "--by", "channel", "--project", "saas",
    )  # fmt: skip
    empty = run_cli(home, "releases", "verdict", "old", "--project", "saas", "--json", check=False)
    assert empty.returncode == 1
    assert "no user entered the metric's first step" in json.loads(empty.stdout)["error"]
