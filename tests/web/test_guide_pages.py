"""The guide editor over HTTP on a live server: who may read and write, creating from
a template and drafting from a question, live lint fragments, saving a new version,
refusing bad budgets without writing, Markdown download."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import start_server
from tests.web.accounts_support import sign_in
from tests.web.guide_pages_support import form_fields, guide_home

GUIDES = "/projects/default/guides"
EDITOR = f"{GUIDES}/Onboarding"


def test_guide_editor_pages(home: Path) -> None:
    server = start_server(guide_home(home))
    base = f"http://127.0.0.1:{server.port}"
    try:
        anonymous = httpx.get(f"{base}{GUIDES}", follow_redirects=False)
        assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]

        viewer = sign_in(base, "view@example.org")
        listed = viewer.http.get(GUIDES)
        assert listed.status_code == 200 and "Onboarding" in listed.text
        assert "Create guide" not in listed.text
        shown = viewer.http.get(EDITOR)
        assert shown.status_code == 200 and "Save as a new version" not in shown.text
        refused = viewer.http.post(
            EDITOR, data={**form_fields(shown.text), "csrf_token": viewer.csrf}
        )
        assert refused.status_code == 403 and "your role: viewer" in refused.text

        res = sign_in(base, "res@example.org")
        page = res.http.get(EDITOR).text
        fields = form_fields(page)
        assert fields["s0_share"] == "5.0" and fields["s2_share"] == "40.0"
        no_csrf = res.http.post(EDITOR, data={k: v for k, v in fields.items() if k != "csrf_token"})
        assert no_csrf.status_code == 403

        # Live lint of one question: the findings fragment, then "use rewrite".
        lint = res.http.post(
            f"{EDITOR}/lint",
            data={"field": "s2_q0", "s2_q0": "Don't you think the setup is confusing?"},
            headers={"X-CSRF-Token": res.csrf},
        )
        assert lint.status_code == 200 and 'data-kind="leading"' in lint.text
        assert "Use rewrite" in lint.text and 'id="lint-s2_q0"' in lint.text
        used = res.http.post(
            f"{EDITOR}/lint",
            data={"field": "s2_q0", "use": "Tell me about the last time you set it up."},
            headers={"X-CSRF-Token": res.csrf},
        )
        assert (
            'id="q-s2_q0"' in used.text
            and "Tell me about the last time you set it up." in used.text
        )
        assert "No issues found" in used.text
        bad_field = res.http.post(
            f"{EDITOR}/lint", data={"field": "nope"}, headers={"X-CSRF-Token": res.csrf}
        )
        assert bad_field.status_code == 422

        # Save: new title, budget moved between sections, a new question with probes.
        fields["s0_title"] = "Hello and consent"
        fields["s1_share"], fields["s2_share"] = "25", "35"
        last = max(
            int(k.split("_q")[1]) for k in fields if k.startswith("s2_q") and "probes" not in k
        )
        fields[f"s2_q{last}"] = "Tell me about the last time you invited a colleague."
        fields[f"s2_q{last}_probes"] = "What happened next?\n\nWho else was involved?"
        saved = res.http.post(EDITOR, data=fields, follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=2")
        after = res.http.get(saved.headers["location"]).text
        assert "Saved as version 2." in after and "Hello and consent" in after
        assert form_fields(after)["s1_share"] == "25.0"

        # Shares that do not add up: 422 naming why, nothing written.
        broken = {**form_fields(after), "s0_share": "50"}
        bad = res.http.post(EDITOR, data=broken)
        assert bad.status_code == 422 and "add up to 100%" in bad.text
        not_number = res.http.post(EDITOR, data={**form_fields(after), "s1_share": "lots"})
        assert not_number.status_code == 422 and "is not a number" in not_number.text
        assert "version 3" not in res.http.get(EDITOR).text

        md = res.http.get(f"{EDITOR}/export.md")
        assert md.status_code == 200 and "attachment" in md.headers["content-disposition"]
        assert "Hello and consent" in md.text and "invited a colleague" in md.text
        assert "Who else was involved?" in md.text
        assert res.http.get(f"{EDITOR}?version=1").text.count("Hello and consent") == 0

        # Create from a template and draft from a research question.
        made = res.http.post(
            GUIDES,
            data={"name": "Churn", "template": "churn", "minutes": "20", "csrf_token": res.csrf},
            follow_redirects=False,
        )
        assert made.status_code == 303
        drafted = res.http.post(
            GUIDES,
            data={
                "name": "Mobile admin",
                "question": "Why do mobile users stop at the integration step?",
                "step": "integration_step_viewed",
                "segment": "mobile users",
                "csrf_token": res.csrf,
            },
            follow_redirects=True,
        )
        assert drafted.status_code == 200 and "integration" in drafted.text
        again = res.http.post(GUIDES, data={"name": "Churn", "csrf_token": res.csrf})
        assert again.status_code == 422 and "exists" in again.text
        unknown = res.http.post(
            GUIDES, data={"name": "X", "template": "nope", "csrf_token": res.csrf}
        )
        assert unknown.status_code == 422 and "unknown template" in unknown.text
        assert res.http.get(f"{GUIDES}/Nope").status_code == 404
    finally:
        server.stop()
    assert "Traceback" not in server.log_path.read_text()
