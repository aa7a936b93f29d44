"""Monitor pages on a live server: the list and create form (researchers create,
viewers only read, CSRF and bad input refused), the signal page with its chart and
the question page with its evidence."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from tests.conftest import start_server
from tests.monitors._monitor_seed import seed_monitor_events
from tests.web.accounts_support import add_user, sign_in


def test_monitor_pages(home: Path) -> None:
    seed_monitor_events(home)
    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    fn.close()
    add_user(home, "res@example.org", "researcher", project="default")
    add_user(home, "view@example.org", "viewer", project="default")
    server = start_server(home, env={"FIELDNOTE_MONITOR_INTERVAL_SECONDS": "0"})
    base = f"http://127.0.0.1:{server.port}"
    try:
        res = sign_in(base, "res@example.org")
        page = res.http.get("/projects/default/monitors")
        assert page.status_code == 200 and 'id="monitor-form"' in page.text
        form = {
            "name": "signups",
            "metric": "events",
            "event": "signup",
            "rule": "swing",
            "percent": "20",
            "csrf_token": res.csrf,
        }
        assert (
            res.http.post(
                "/projects/default/monitors", data={**form, "csrf_token": "x"}
            ).status_code
            == 403
        )
        made = res.http.post("/projects/default/monitors", data=form)
        assert made.status_code == 303
        bad = res.http.post(
            "/projects/default/monitors",
            data={**form, "name": "t", "rule": "threshold", "value": "lots"},
        )
        assert bad.status_code == 422 and "write the value as" in bad.text
        viewer = sign_in(base, "view@example.org")
        listed = viewer.http.get("/projects/default/monitors")
        assert listed.status_code == 200 and "signups" in listed.text
        assert 'id="monitor-form"' not in listed.text
        denied = viewer.http.post(
            "/projects/default/monitors", data={**form, "name": "v", "csrf_token": viewer.csrf}
        )
        assert denied.status_code == 403
        result = json.loads(server.cli("monitors", "run", "--json").stdout)["results"][0]
        assert result["fired"]
        qid, sid = result["question"]["id"], result["signal"]["id"]
        question = viewer.http.get(f"/projects/default/questions/{qid}")
        assert question.status_code == 200
        assert "We see daily signup events down 50%" in question.text
        assert 'data-analytics-chart="evidence-data"' in question.text
        data = re.search(r'id="evidence-data">(.*?)</script>', question.text, re.S)
        assert data is not None and json.loads(data.group(1))["kind"] == "count"
        signal = viewer.http.get(f"/projects/default/signals/{sid}")
        assert signal.status_code == 200 and "went down 50%" in signal.text
        assert viewer.http.get("/projects/default/signals/999").status_code == 404
        listing = viewer.http.get("/projects/default/questions")
        assert f'/projects/default/questions/{qid}"' in listing.text
    finally:
        server.stop()
