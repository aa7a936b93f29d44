"""The participant panel against a live server: the CLI's reads and its erasure go
through the server that owns the event store; the API and pages need the researcher
role (a viewer is refused) and every read is audited."""

from __future__ import annotations

import json
from collections.abc import Iterator

import duckdb
import pytest

from tests.conftest import LiveServer, run_cli, start_server
from tests.web.accounts_support import add_user, seed_events, sign_in
from tests.web.intercept_support import admin

CSV = (
    "email,name,role,phone,distinct_id\n"
    "user3@example.org,Juno Vale,Product Manager,+1 415 555 0134,user-3\n"
    "buyer@corp.example,Bo Price,Finance,,\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("panel-http")
    home = tmp / "home"
    seed_events(home, "default", 400, days=10)
    add_user(home, "res@example.com", "researcher")
    add_user(home, "view@example.com", "viewer")
    live = start_server(home)
    panel = tmp / "panel.csv"
    panel.write_text(CSV)
    run_cli(home, "participants", "import", str(panel), "--json")
    yield live
    live.stop()


def test_cli_reads_tiers_through_the_server(server: LiveServer) -> None:
    listed = json.loads(run_cli(server.home, "participants", "list", "--json").stdout)
    kinds = {p["email"]: (p["tier"], p["kind"]) for p in listed["participants"]}
    assert kinds == {
        "user3@example.org": ("daily", "both"),  # 8 events a day over the last 10 days
        "buyer@corp.example": ("potential", "customer"),
    }


def test_api_and_pages_need_the_researcher_role(server: LiveServer) -> None:
    viewer = sign_in(server.url, "view@example.com")
    try:
        assert viewer.http.get("/api/projects/default/participants").status_code == 403
        assert viewer.http.get("/projects/default/participants").status_code == 403
    finally:
        viewer.close()
    researcher = sign_in(server.url, "res@example.com")
    try:
        api = researcher.http.get("/api/projects/default/participants")
        assert api.status_code == 200
        who = {p["email"]: p["id"] for p in api.json()["participants"]}
        page = researcher.http.get("/projects/default/participants")
        assert page.status_code == 200 and "Juno Vale" in page.text and "potential" in page.text
        refused = researcher.http.post(
            "/api/projects/default/incentives",
            json={
                "participant": "buyer@corp.example",
                "study_id": 1,
                "amount": "5",
                "currency": "EUR",
            },
        )
        assert refused.status_code == 403  # cookie write without the CSRF token
        one = researcher.http.get(f"/projects/default/participants/{who['buyer@corp.example']}")
        assert one.status_code == 200 and "Bo Price" in one.text and "No incentives" in one.text
        assert researcher.http.get("/projects/default/participants/999").status_code == 404
    finally:
        researcher.close()
    with admin(server) as client:
        audit = client.get("/api/projects/default/audit").json()
    actions = [e["action"] for e in audit.get("entries", audit if isinstance(audit, list) else [])]
    assert "participants.list" in actions and "participant.read" in actions


def test_erase_goes_through_the_servers_writer(server: LiveServer) -> None:
    done = json.loads(
        run_cli(server.home, "participants", "erase", "user3@example.org", "--json").stdout
    )
    assert done["events"]["events"] == 8  # 400 events over 50 ids: 8 are user-3's
    listed = json.loads(run_cli(server.home, "participants", "list", "--json").stdout)
    assert [p["email"] for p in listed["participants"]] == ["buyer@corp.example"]
    server.stop()
    con = duckdb.connect(str(server.home / "events.duckdb"), read_only=True)
    try:
        for table in ("events", "persons", "person_distinct_ids"):
            rows = con.execute(f"SELECT * FROM {table}").fetchall()
            text = " ".join(str(v) for r in rows for v in r)
            assert "user3@example.org" not in text and "user-3 " not in f"{text} "
    finally:
        con.close()
