"""Evidence over HTTP on a live server: roles, audit, 422s naming the field, and the
numbers the library computes (opportunities, job stories, reach, journey, personas,
themes x behaviour, a release's validation study)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository import ReleaseStore
from tests.conftest import start_server
from tests.evidence._artifacts_seed import seed_home
from tests.web.accounts_support import add_user, make_token

MARCH = {"from": "2026-03-02", "to": "2026-03-29"}
STEPS = [("step", "signup"), ("step", "integration_viewed"), ("step", "connect_integration")]


def _release(home: Path) -> None:
    from datetime import UTC, datetime

    fn = Fieldnote(Settings(home=home))
    ReleaseStore(fn.repository).create(
        "p", "2.5", released_at=datetime(2026, 3, 10, tzinfo=UTC), description="",
        metric="conversion", options={"steps": ["integration_viewed", "connect_integration"],
                                      "window": "1d"},
        dimensions=("$os",), window="14d", created_by=None,
    )  # fmt: skip
    fn.close()


def test_evidence_api(home: Path) -> None:
    seed_home(home)
    _release(home)
    add_user(home, "res@example.org", "researcher", project="p")
    add_user(home, "view@example.org", "viewer", project="p")
    _, res_token = make_token(home, "res@example.org")
    _, view_token = make_token(home, "view@example.org")
    server = start_server(home)
    base = f"http://127.0.0.1:{server.port}/api/projects/p"
    try:
        res = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {res_token}"},
                           timeout=60)  # fmt: skip
        viewer = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {view_token}"},
                              timeout=60)  # fmt: skip
        assert httpx.get(f"{base}/opportunities").status_code == 401
        body = {"name": "fix admin", "effort": 2, "book": "main", "theme": "t1",
                "segment": "stuck at integration"}  # fmt: skip
        assert viewer.post("/opportunities", json=body).status_code == 403
        made = res.post("/opportunities", json=body)
        assert made.status_code == 201, made.text
        assert made.json()["components"]["reach"] > 0
        bad = res.post("/opportunities", json={**body, "name": "x", "theme": "t9"})
        assert bad.status_code == 422 and "no theme 't9'" in bad.json()["error"]
        assert res.post("/opportunities", json={**body, "effort": 0}).status_code == 422
        res.post("/opportunities", json={"name": "later", "effort": 1})
        ranked = viewer.get("/opportunities").json()["opportunities"]
        assert [(o["rank"], o["name"]) for o in ranked] == [(1, "fix admin"), (2, "later")]
        rows = list(csv.DictReader(io.StringIO(viewer.get("/opportunities.csv").text)))
        assert rows[0]["reach_source"].startswith("segment 'stuck at integration'")
        assert res.post("/opportunities/nope/score").status_code == 404
        rescored = res.post("/opportunities/fix admin/score").json()
        assert rescored["score"] == ranked[0]["score"]

        story = res.post("/job-stories", json={
            "situation": "I set up sync on my phone", "motivation": "connect without an admin",
            "outcome": "sync today", "evidence": ["theme:main:t1"]})  # fmt: skip
        assert story.status_code == 201
        sid = story.json()["id"]
        patched = res.patch(f"/job-stories/{sid}", json={"evidence": ["note:main:zz"]})
        assert patched.status_code == 422 and "has no note 'zz'" in patched.json()["error"]
        assert viewer.get(f"/job-stories/{sid}").json()["evidence"] == ["theme:main:t1"]
        assert viewer.delete(f"/job-stories/{sid}").status_code == 403
        assert res.delete(f"/job-stories/{sid}").status_code == 200
        assert viewer.get(f"/job-stories/{sid}").status_code == 404

        reach = viewer.get("/evidence/reach", params=[("book", "main"), ("theme", "t1"),
                                                      *MARCH.items(), *STEPS])  # fmt: skip
        assert reach.status_code == 200 and reach.json()["size"] == 30
        narrowed = viewer.get("/evidence/reach", params=[("book", "main"), ("theme", "t1"),
                              ("by", "$os"), *MARCH.items(), *STEPS])  # fmt: skip
        assert narrowed.json()["size"] == 17 and "on $os = ios" in narrowed.json()["basis"]
        no_steps = viewer.get("/evidence/reach", params={"book": "main", "theme": "t1", **MARCH})
        assert no_steps.status_code == 422 and "funnel's steps" in no_steps.json()["error"]
        themes = viewer.get("/evidence/themes", params={"book": "main", "metric": "conversion",
                            "event": "connect_integration", **MARCH})  # fmt: skip
        assert {t["id"] for t in themes.json()["themes"]} == {"t1", "t2"}
        bad_metric = viewer.get("/evidence/themes", params={"book": "main", "metric": "x", **MARCH})
        assert bad_metric.status_code == 422 and "metric" in bad_metric.json()["error"]

        journey_params = [("book", "main"), *MARCH.items(), *STEPS]
        assert viewer.get("/evidence/journey", params=journey_params).status_code == 403
        journey = res.get("/evidence/journey", params=journey_params).json()
        assert [s["users"] for s in journey["steps"]] == [60, 50, 20]
        personas = res.get("/evidence/personas", params={"book": "main", "by": "$os"}).json()
        assert personas["personas"][0]["value"] == "ios"

        assert viewer.post("/releases/2.5/validation").status_code == 403
        proposed = res.post("/releases/2.5/validation")
        assert proposed.status_code == 201
        assert proposed.json()["segment"] == "release 2.5: exposed"
        assert res.post("/releases/nope/validation").status_code == 404
    finally:
        server.stop()
    audit = server.cli("audit", "--json", check=False).stdout
    assert "journey.read" in audit and "opportunity.create" in audit
