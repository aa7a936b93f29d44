"""The weekly digest page on a live server: a viewer reads this week's digest (the
monitor's anomaly and its open question), downloads it as Markdown or HTML; a bad
week or format is a 422 naming the field; anonymous visitors are sent to sign in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.monitors import Week
from tests.conftest import start_server
from tests.monitors._monitor_seed import seed_monitor_events
from tests.web.accounts_support import add_user, sign_in


def test_digest_page(home: Path) -> None:
    seed_monitor_events(home)
    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    fn.close()
    add_user(home, "view@example.org", "viewer", project="default")
    server = start_server(home, env={"FIELDNOTE_MONITOR_INTERVAL_SECONDS": "0"})
    base = f"http://127.0.0.1:{server.port}"
    try:
        created = server.cli(
            "monitors", "create", "signups", "--metric", "events", "--event", "signup",
            "--rule", "swing", "--percent", "20", "--json",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        result = json.loads(server.cli("monitors", "run", "--json").stdout)["results"][0]
        assert result["fired"]
        viewer = sign_in(base, "view@example.org")
        week = str(Week.of(datetime.now(UTC).date()))
        page = viewer.http.get("/projects/default/digest")
        assert page.status_code == 200
        assert f"Weekly digest {week}" in page.text
        assert "We see daily signup events down 50%" in page.text  # the open question
        assert result["signal"]["reason"].split(" (")[0] in page.text  # the anomaly
        md = viewer.http.get(f"/projects/default/digest?week={week}&format=md")
        assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
        assert md.text.startswith(f"# default: weekly digest {week}")
        assert "attachment" in md.headers["content-disposition"]
        html = viewer.http.get(f"/projects/default/digest?week={week}&format=html")
        assert html.status_code == 200 and "<h2>Open questions</h2>" in html.text
        bad = viewer.http.get("/projects/default/digest?week=2026-W60")
        assert bad.status_code == 422 and "2026 has no ISO week 60" in bad.text
        odd = viewer.http.get("/projects/default/digest?format=pdf")
        assert odd.status_code == 422 and "format: one of md, html" in odd.text
        empty = viewer.http.get("/projects/default/digest?week=2020-W01")
        assert empty.status_code == 200 and "No monitor fired this week." in empty.text
        anon = httpx.get(f"{base}/projects/default/digest", follow_redirects=False)
        assert anon.status_code == 303 and anon.headers["location"].startswith("/login")
    finally:
        server.stop()
