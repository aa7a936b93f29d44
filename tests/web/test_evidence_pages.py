"""Evidence pages on a live server: search with filters and links to the transcript
moment, journey map, personas, opportunities (create, 422, rescore, CSV), job
stories, a book's evidence view and a release's validation action; roles and CSRF."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tests.conftest import start_server
from tests.evidence._artifacts_seed import INTERVIEW, seed_home, seed_interview
from tests.web.accounts_support import add_user, sign_in

STEPS = "step=signup&step=integration_viewed&step=connect_integration"
MARCH = "from=2026-03-02&to=2026-03-29"


def test_evidence_pages(home: Path) -> None:
    seed_home(home)
    seed_interview(home)
    add_user(home, "res@example.org", "researcher", project="p")
    add_user(home, "view@example.org", "viewer", project="p")
    server = start_server(home)
    base = f"http://127.0.0.1:{server.port}"
    try:
        res = sign_in(base, "res@example.org")
        viewer = sign_in(base, "view@example.org")
        # search: redacted hits linking to the transcript moment; filters; 422 named
        found = viewer.http.get("/projects/p/search", params={"q": "admin"})
        assert found.status_code == 200 and 'id="search-results"' in found.text
        assert f"/projects/p/transcripts/{INTERVIEW}?t=65.0#moment" in found.text
        stepped = viewer.http.get("/projects/p/search", params={"q": "signup", "step": "signup"})
        assert "main:n8" in stepped.text
        seg = viewer.http.get(
            "/projects/p/search", params={"q": "dashboard", "segment": "stuck at integration"}
        )
        assert seg.status_code == 200 and "main:n5" not in seg.text  # p5 converted
        bad = viewer.http.get("/projects/p/search", params={"q": "admin", "since": "soon"})
        assert bad.status_code == 422 and "since: &#39;soon&#39; is not a date" in bad.text
        # journey map and personas: researchers only
        assert viewer.http.get(f"/projects/p/journey?book=main&{STEPS}").status_code == 403
        journey = res.http.get(f"/projects/p/journey?book=main&{STEPS}&{MARCH}")
        assert journey.status_code == 200 and 'id="emotion-curve"' in journey.text
        assert "Admin access blocks integration" in journey.text
        assert res.http.get("/projects/p/journey?book=main&step=signup").status_code == 422
        personas = res.http.get("/projects/p/personas?book=main&by=%24os&attrs=plan")
        assert personas.status_code == 200 and "ios ($os)" in personas.text
        assert "empathy-feels" in personas.text
        # the funnel page shows each step's qualitative context inline
        funnel = viewer.http.get(f"/projects/p/funnels?{STEPS}&{MARCH}")
        assert funnel.status_code == 200
        ctx = funnel.text.split('data-step="2"', 1)[1].split("</div>", 1)[0]
        assert "Admin access blocks integration" in ctx and "step-quote" not in ctx
        ctx = res.http.get(f"/projects/p/funnels?{STEPS}&{MARCH}").text.split('data-step="2"')[1]
        assert "step-quote" in ctx.split("</div>", 1)[0]
        # opportunities
        form = {"name": "fix admin", "effort": "2", "book": "main", "theme": "t1",
                "segment": "stuck at integration", "csrf_token": res.csrf}  # fmt: skip
        assert res.http.post("/projects/p/opportunities", data={**form, "csrf_token": "x"}
                             ).status_code == 403  # fmt: skip
        assert viewer.http.post("/projects/p/opportunities", data={**form, "csrf_token":
                                viewer.csrf}).status_code == 403  # fmt: skip
        assert res.http.post("/projects/p/opportunities", data=form).status_code == 303
        wrong = res.http.post("/projects/p/opportunities", data={**form, "name": "y",
                              "effort": "lots"})  # fmt: skip
        assert wrong.status_code == 422 and "effort: write person-months" in wrong.text
        listed = viewer.http.get("/projects/p/opportunities")
        assert "segment &#39;stuck at integration&#39;: 30 persons" in listed.text
        assert "Rescore" not in listed.text
        assert res.http.post("/projects/p/opportunities/score", data={
            "name": "fix admin", "csrf_token": res.csrf}).status_code == 303  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(
            viewer.http.get("/projects/p/opportunities/export.csv").text)))  # fmt: skip
        assert rows[0]["name"] == "fix admin" and rows[0]["impact_source"]
        # job stories
        made = res.http.post("/projects/p/jobs", data={
            "situation": "I connect on my phone", "motivation": "skip the admin",
            "outcome": "sync today", "evidence": "theme:main:t1 note:main:n1",
            "csrf_token": res.csrf})  # fmt: skip
        assert made.status_code == 303
        jobs = viewer.http.get("/projects/p/jobs").text
        assert "When I connect on my phone, I want to skip the admin, so I can sync today." in jobs
        jid = re.findall(r'id="job-(\d+)"', jobs)[0]
        editing = res.http.get(f"/projects/p/jobs?edit={jid}").text
        assert f"Edit job story #{jid}" in editing and 'value="skip the admin"' in editing
        edited = res.http.post(f"/projects/p/jobs/{jid}", data={
            "situation": "I connect on my phone", "motivation": "skip the admin",
            "outcome": "start syncing today", "evidence": "theme:main:t1",
            "csrf_token": res.csrf})  # fmt: skip
        assert edited.status_code == 303
        assert "so I can start syncing today." in viewer.http.get("/projects/p/jobs").text
        assert res.http.get("/projects/p/jobs?edit=999").status_code == 404
        nope = res.http.post("/projects/p/jobs", data={"situation": "a", "motivation": "b",
                             "outcome": "c", "evidence": "note:main:zz", "csrf_token": res.csrf})  # fmt: skip
        assert nope.status_code == 422 and "has no note" in nope.text
        # the book's evidence view: behaviour and reach per theme
        view = viewer.http.get(
            f"/projects/p/books/main/evidence?metric=conversion&event=connect_integration"
            f"&{MARCH}&{STEPS}"
        )
        assert view.status_code == 200 and "Participants who talk about" in view.text
        assert "<strong>30</strong> users" in view.text
        assert viewer.http.get("/projects/p/books/none/evidence").status_code == 404
        # releases: propose a validation study, land on its question
        server.cli("releases", "create", "2.5", "--at", "2026-03-10", "--metric",
                   "conversion", "-s", "integration_viewed", "-s", "connect_integration",
                   "--by", "$os", "--project", "p")  # fmt: skip
        assert "Propose validation study" in res.http.get("/projects/p/releases").text
        proposed = res.http.post("/projects/p/releases/validation",
                                 data={"release": "2.5", "csrf_token": res.csrf})  # fmt: skip
        assert proposed.status_code == 303 and "/questions/" in proposed.headers["location"]
        question = res.http.get(proposed.headers["location"]).text
        assert "release 2.5: exposed" in question
    finally:
        server.stop()
