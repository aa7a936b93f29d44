"""Theme books over HTTP against a live server: the JSON API (read, move, merge, split,
rename, trend) with roles, CSRF and precise errors; the affinity map, theme and
transcript pages; and corrections made over HTTP surviving a synthesis re-run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.accounts_support import sign_in
from tests.web.theme_pages_support import RESEARCHER, VIEWER, ThemeHome, synthesize, theme_home


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, ThemeHome]]:
    made = theme_home(tmp_path_factory.mktemp("themes") / "home")
    live = start_server(made.home)
    yield live, made
    live.stop()


def _api(made: ThemeHome) -> str:
    return f"/api/projects/default/books/{quote(made.book, safe='')}"


def test_reading_needs_the_researcher_role_and_is_audited(
    setup: tuple[LiveServer, ThemeHome],
) -> None:
    live, made = setup
    res, viewer = sign_in(live.url, RESEARCHER), sign_in(live.url, VIEWER)
    try:
        book = res.http.get(_api(made))
        assert book.status_code == 200
        data = book.json()
        assert {t["id"] for t in data["themes"]} == {t["id"] for t in made.run["themes"]}
        assert len(data["notes"]) == made.run["notes"]
        top = next(t for t in data["themes"] if t["id"] == made.run["themes"][0]["id"])
        assert top["keyphrases"] == made.run["themes"][0]["keyphrases"]
        assert top["kind"] == made.run["themes"][0]["kind"]
        assert top["participants"] == made.run["themes"][0]["participants"]
        note = data["notes"][0]
        assert note["start"] is not None and note["recorded_at"] is not None
        refused = viewer.http.get(_api(made))
        assert refused.status_code == 403 and "researcher" in refused.json()["error"]
        assert res.http.get("/api/projects/default/books/nope").status_code == 404
        audit = live.cli("audit", "--json").stdout
        assert f"themebook:{made.book}" in audit
    finally:
        res.close()
        viewer.close()


def test_corrections_with_csrf_and_precise_errors_then_survive_a_rerun(
    setup: tuple[LiveServer, ThemeHome],
) -> None:
    live, made = setup
    res, viewer = sign_in(live.url, RESEARCHER), sign_in(live.url, VIEWER)
    csrf = {"X-CSRF-Token": res.csrf}
    themes = [t["id"] for t in made.run["themes"]]
    a, b, c, d = themes[:4]
    note = next(x["id"] for x in made.run["assignments"] if x["theme"] == b)
    try:
        body = {"notes": [note], "theme": a}
        assert res.http.post(f"{_api(made)}/move", json=body).status_code == 403  # no CSRF
        assert (
            viewer.http.post(
                f"{_api(made)}/move", json=body, headers={"X-CSRF-Token": viewer.csrf}
            ).status_code
            == 403
        )
        moved = res.http.post(f"{_api(made)}/move", json=body, headers=csrf)
        assert moved.status_code == 200, moved.text
        unknown = res.http.post(
            f"{_api(made)}/move", json={"notes": ["nope#1"], "theme": a}, headers=csrf
        )
        assert unknown.status_code == 422 and "no note 'nope#1'" in unknown.json()["error"]
        empty = res.http.post(f"{_api(made)}/move", json={"notes": [], "theme": a}, headers=csrf)
        assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "body.notes"
        renamed = res.http.post(
            f"{_api(made)}/rename",
            json={"theme": a, "label": "Admin access blocks teams"},
            headers=csrf,
        )
        assert renamed.status_code == 200
        self_merge = res.http.post(
            f"{_api(made)}/merge", json={"into": c, "other": c}, headers=csrf
        )
        assert self_merge.status_code == 422 and "into itself" in self_merge.json()["error"]
        merged = res.http.post(f"{_api(made)}/merge", json={"into": c, "other": d}, headers=csrf)
        assert merged.status_code == 200 and d not in {t["id"] for t in merged.json()["themes"]}
        in_c = [n["id"] for n in res.http.get(_api(made)).json()["notes"] if n["theme"] == c][:2]
        split = res.http.post(
            f"{_api(made)}/split",
            json={"theme": c, "notes": in_c, "label": "Split off"},
            headers=csrf,
        )
        assert split.status_code == 200
        new = split.json()["result"]
        again = synthesize(live.home, made.study)
        labels = {t["id"]: t["label"] for t in again["themes"]}
        placed = {x["id"]: x["theme"] for x in again["assignments"]}
        assert labels[a] == "Admin access blocks teams"
        assert placed[note] == a
        assert all(placed[n] == new for n in in_c)
        assert d not in labels
        audit = json.loads(live.cli("audit", "--json", "-n", "500").stdout)["entries"]
        actions = {e["action"] for e in audit if e["target"] == f"themebook:{made.book}"}
        assert {
            "themebook.move",
            "themebook.rename",
            "themebook.merge",
            "themebook.split",
        } <= actions
    finally:
        res.close()
        viewer.close()


def test_trend_api(setup: tuple[LiveServer, ThemeHome]) -> None:
    live, made = setup
    res = sign_in(live.url, RESEARCHER)
    try:
        weekly = res.http.get(f"{_api(made)}/trend", params={"by": "week"}).json()
        notes = res.http.get(_api(made)).json()["notes"]
        people = {n["participant"] for n in notes}
        # every transcript was stored this week: one group holding everybody
        assert len(weekly["groups"]) == 1 and re.fullmatch(r"\d{4}-W\d{2}", weekly["groups"][0])
        assert {c["n"] for c in weekly["cells"]} == {len(people)}
        for cell in weekly["cells"]:
            members = {n["participant"] for n in notes if n["theme"] == cell["theme"]}
            assert cell["participants"] == len(members)
            assert cell["small_sample"] is (len(people) < 5)
        bad = res.http.get(f"{_api(made)}/trend", params={"by": "persona"})
        assert bad.status_code == 422 and "no such attribute (week" in bad.json()["error"]
        # attributes attached with the CLI: the share per platform, small groups flagged
        ordered = sorted(people)
        table = live.home.parent / "people.csv"
        table.write_text(
            "participant,platform\n"
            + "".join(f"{p},{'ios' if i % 3 else 'android'}\n" for i, p in enumerate(ordered))
        )
        live.cli("book", "people", made.book, str(table), "--json")
        per = res.http.get(f"{_api(made)}/trend", params={"by": "platform", "min_n": 5}).json()
        assert per["groups"] == ["android", "ios"]
        android = {p for i, p in enumerate(ordered) if i % 3 == 0}
        for cell in per["cells"]:
            group = android if cell["group"] == "android" else set(ordered) - android
            members = {n["participant"] for n in notes if n["theme"] == cell["theme"]}
            assert (cell["participants"], cell["n"]) == (len(members & group), len(group))
            assert cell["small_sample"] is (len(group) < 5)
        href = (
            f"/projects/default/books/{quote(made.book, safe='')}/themes/{per['cells'][0]['theme']}"
        )
        shown = res.http.get(href, params={"by": "platform"}).text
        assert '<option value="platform" selected>' in shown
        assert '<th scope="row">android</th>' in shown and '<th scope="row">ios</th>' in shown
    finally:
        res.close()


def test_pages(setup: tuple[LiveServer, ThemeHome]) -> None:
    live, made = setup
    res, viewer = sign_in(live.url, RESEARCHER), sign_in(live.url, VIEWER)
    try:
        href = f"/projects/default/books/{quote(made.book, safe='')}"
        listing = res.http.get("/projects/default/books")
        assert listing.status_code == 200 and made.book in listing.text
        amap = res.http.get(href)
        assert amap.status_code == 200
        cards = re.findall(r'<li class="affinity-card(?: pinned)?" data-note=', amap.text)
        assert len(cards) == made.run["notes"]
        assert 'aria-label="Move to"' in amap.text and "/static/affinity.js" in amap.text
        assert viewer.http.get(href).status_code == 403
        # the status line after a change is worded by the server from checked ids only
        done = res.http.get(href, params={"done": "merge", "theme": "t3", "into": "t1"})
        assert "Merged t3 into t1." in done.text
        for crafted in (
            {"msg": "Your session expired, sign in at evil.example"},
            {"done": "rename", "theme": "t1 sign in at evil.example"},
            {"done": "split", "theme": "t2", "n": "lots"},
        ):
            page_text = res.http.get(href, params=crafted).text
            assert "evil.example" not in page_text and "lots" not in page_text
            assert re.search(r'id="affinity-status"[^>]*hidden', page_text)
        theme = made.run["themes"][1]
        page = res.http.get(f"{href}/themes/{theme['id']}")
        assert page.status_code == 200
        text = unescape(page.text)
        assert theme["keyphrases"][0] in text and theme["kind"] in text
        assert 'id="trend-table"' in page.text
        found = re.search(r'href="(/projects/default/transcripts/[^"]+)"', page.text)
        assert found is not None, "no quote links to its transcript"
        link = unescape(found.group(1))
        transcript = res.http.get(link)
        assert transcript.status_code == 200
        moment = re.search(r'<li id="moment"[^>]*>(.*?)</li>', transcript.text, re.S)
        assert moment is not None
        quoted = parse_qs(urlsplit(link).query)["q"][0]
        assert quoted in unescape(moment.group(1))
        assert res.http.get(f"{href}/themes/t999").status_code == 404
        assert res.http.get("/projects/default/transcripts/nope").status_code == 404
    finally:
        res.close()
        viewer.close()
