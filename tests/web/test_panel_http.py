"""The participant panel against a live server: the CLI's reads and its erasure go
through the server that owns the event store; the API and pages need the researcher
role (a viewer is refused) and every read is audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.conftest import LiveServer, run_cli, start_server
from tests.web.accounts_support import add_user, make_token, seed_events, sign_in
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
    assert "participant.read" in actions
    # the CLI's list (audited once, by the server that answered it), the API, the page
    assert actions.count("participants.list") == 3


def _study(home: Path) -> int:
    from datetime import timedelta

    from fieldnote._core import Fieldnote
    from fieldnote.config import Settings
    from fieldnote.repository import ResearchStore

    fn = Fieldnote(Settings(home=home))
    try:
        store = ResearchStore(fn.repository)
        q, _ = store.open_or_update("default", anomaly_key="api", text="Why?", evidence={})
        return store.propose_study(
            "default", q.id, plan={"segments": []}, quota=(1, 2), deadline=timedelta(hours=48)
        ).id
    finally:
        fn.close()


def test_api_writes_validate_and_mirror_the_cli(server: LiveServer) -> None:
    _, token = make_token(server.home, "res@example.com")
    _, viewer_token = make_token(server.home, "view@example.com")
    base = "/api/projects/default"
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        bad = http.post(f"{base}/participants/import", json={"csv": "email,company_size\nx,2\n"})
        assert bad.status_code == 422
        assert bad.json()["problems"] == [
            {"line": 2, "column": "email", "why": "'x' is not an email address"}
        ]
        good = http.post(
            f"{base}/participants/import",
            json={"csv": "Mail,role\nnew@corp.example,Product Manager\n", "map": ["Mail=email"]},
        )
        assert good.json() == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0}
        persona = http.post(
            f"{base}/personas",
            json={
                "name": "pm",
                "criteria": {"where": [{"field": "role", "op": "eq", "value": "Product Manager"}]},
            },
        )
        assert persona.status_code == 201
        wrong = http.post(f"{base}/personas", json={"name": "x", "criteria": {"where": [{}]}})
        assert wrong.status_code == 422 and "where[0].field" in wrong.text
        study = _study(server.home)
        put = http.put(f"{base}/studies/{study}/screener", json={"personas": ["pm"]})
        assert put.status_code == 200 and put.json()["screener"]["personas"] == ["pm"]
        ranked = http.get(f"{base}/studies/{study}/recruit").json()
        chosen = {c["email"] for c in ranked["candidates"] if c["outcome"] == "chosen"}
        assert chosen == {"user3@example.org", "new@corp.example"}
        assert ranked["ranking"].startswith("score = 2 * active days")
        made = http.post(
            f"{base}/incentives",
            json={
                "participant": "new@corp.example",
                "study_id": study,
                "amount": "1500",
                "currency": "JPY",
            },
        )
        assert made.status_code == 201 and made.json()["amount"] == "1500"
        assert (
            http.post(
                f"{base}/incentives",
                json={
                    "participant": "new@corp.example",
                    "study_id": study,
                    "amount": "5",
                    "currency": "XYZ",
                },
            ).status_code
            == 422
        )
        paid = http.post(f"{base}/incentives/{made.json()['id']}/pay")
        assert paid.json()["status"] == "paid"
        again = http.post(f"{base}/incentives/{made.json()['id']}/pay")
        assert again.status_code == 422 and "cannot pay an incentive that is paid" in again.text
        shown = http.get(f"{base}/participants/new@corp.example").json()
        assert [i["status"] for i in shown["incentives"]] == ["paid"]
    refused = httpx.post(
        f"{server.url}{base}/participants/import",
        json={"csv": "email\na@b.example\n"},
        headers={"Authorization": f"Bearer {viewer_token}"},
        timeout=30,
    )
    assert refused.status_code == 403


def test_erase_goes_through_the_servers_writer(server: LiveServer) -> None:
    done = json.loads(
        run_cli(server.home, "participants", "erase", "user3@example.org", "--json").stdout
    )
    assert done["events"]["events"] == 8  # 400 events over 50 ids: 8 are user-3's
    listed = json.loads(run_cli(server.home, "participants", "list", "--json").stdout)
    assert "user3@example.org" not in [p["email"] for p in listed["participants"]]
    server.stop()
    con = duckdb.connect(str(server.home / "events.duckdb"), read_only=True)
    try:
        for table in ("events", "persons", "person_distinct_ids"):
            rows = con.execute(f"SELECT * FROM {table}").fetchall()
            text = " ".join(str(v) for r in rows for v in r)
            assert "user3@example.org" not in text and "user-3 " not in f"{text} "
    finally:
        con.close()
