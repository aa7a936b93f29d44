"""``fieldnote participants import/list/show/erase``, ``personas``, ``incentives`` and
``studies recruit`` through the real console entry point (no server: local stores)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository import ResearchStore
from tests.conftest import run_cli


def _study(home: Path) -> int:
    fn = Fieldnote(Settings(home=home))
    try:
        fn.projects.ensure_default()
        store = ResearchStore(fn.repository)
        q, _ = store.open_or_update("default", anomaly_key=None, text="Why?", evidence={})
        plan = {"goal": "g", "segments": []}
        return store.propose_study(
            "default", q.id, plan=plan, quota=(1, 2), deadline=timedelta(hours=48)
        ).id
    finally:
        fn.close()


def test_panel_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "home"
    study = _study(home)
    good = tmp_path / "panel.csv"
    good.write_text(
        "Work Email,name,role,company_size\n"
        "ana@acme.example,Ana Lima,Product Manager,120\n"
        "ben@beta.example,Ben Ode,Engineer,15\n"
    )
    made = json.loads(
        run_cli(
            home, "participants", "import", str(good), "--map", "Work Email=email", "--json"
        ).stdout
    )
    assert made == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    again = json.loads(
        run_cli(
            home, "participants", "import", str(good), "--map", "Work Email=email", "--json"
        ).stdout
    )
    assert again["unchanged"] == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("email,company_size\nx@y.example,lots\n")
    proc = run_cli(home, "participants", "import", str(bad), "--json", check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["problems"] == [
        {"line": 2, "column": "company_size", "why": "'lots' is not a whole number of employees"}
    ]
    listed = json.loads(run_cli(home, "participants", "list", "--json").stdout)["participants"]
    assert [(p["email"], p["tier"], p["kind"]) for p in listed] == [
        ("ana@acme.example", "potential", "customer"),
        ("ben@beta.example", "potential", "customer"),
    ]
    run_cli(home, "personas", "create", "pm", "--where", "role in Product Manager", "--json")
    members = json.loads(run_cli(home, "personas", "members", "pm", "--json").stdout)
    assert [m["email"] for m in members["members"]] == ["ana@acme.example"]
    screener = tmp_path / "screener.json"
    screener.write_text(json.dumps({"personas": ["pm"], "target": 1}))
    run_cli(home, "studies", "screener", str(study), str(screener), "--json")
    ranked = json.loads(run_cli(home, "studies", "recruit", str(study), "--json").stdout)
    outcome = {c["email"]: (c["outcome"], c["reasons"]) for c in ranked["candidates"]}
    assert outcome["ana@acme.example"][0] == "chosen"
    assert outcome["ben@beta.example"] == (
        "excluded",
        ["screener: matches none of the personas pm"],
    )

    inc = json.loads(
        run_cli(
            home, "incentives", "set", "ana@acme.example", str(study), "40", "usd", "--json"
        ).stdout
    )
    assert (inc["amount"], inc["currency"], inc["status"]) == ("40.00", "USD", "promised")
    refused = run_cli(
        home,
        "incentives",
        "set",
        "ana@acme.example",
        str(study),
        "0",
        "USD",
        "--json",
        check=False,
    )
    assert json.loads(refused.stdout) == {"error": "amount: must be positive, not '0'"}
    assert (
        json.loads(run_cli(home, "incentives", "pay", str(inc["id"]), "--json").stdout)["status"]
        == "paid"
    )
    shown = json.loads(run_cli(home, "participants", "show", "ana@acme.example", "--json").stdout)
    assert [i["status"] for i in shown["incentives"]] == ["paid"]

    erased = json.loads(run_cli(home, "participants", "erase", str(shown["id"]), "--json").stdout)
    assert erased["pseudonym"].startswith("erased-")
    left = json.loads(run_cli(home, "participants", "list", "--json").stdout)["participants"]
    assert [p["email"] for p in left] == ["ben@beta.example"]
    assert (
        "ana@acme.example" not in (home / "fieldnote.sqlite").read_bytes().decode("latin-1")
        if (home / "fieldnote.sqlite").exists()
        else True
    )


def test_erase_with_the_store_locked_changes_nothing(tmp_path: Path) -> None:
    from fieldnote.events import DuckDBEventStore

    home = tmp_path / "home"
    panel = tmp_path / "panel.csv"
    panel.write_text("email,name\nkit@k.example,Kit Lane\n")
    run_cli(home, "participants", "import", str(panel), "--json")
    holder = DuckDBEventStore(home / "events.duckdb")  # another process's writer
    try:
        proc = run_cli(home, "participants", "erase", "kit@k.example", "--json", check=False)
    finally:
        holder.close()
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"].startswith(f"cannot open {home / 'events.duckdb'}")
    shown = json.loads(run_cli(home, "participants", "show", "kit@k.example", "--json").stdout)
    assert shown["name"] == "Kit Lane" and shown["erased"] is False
