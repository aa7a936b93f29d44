"""``fieldnote book import-qdpx / people / trend`` through the real console entry point."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository import DEFAULT_PROJECT, ResearchStore
from tests.conftest import run_cli
from tests.synthesis._corpus import planted
from tests.synthesis.test_qdpx_import import qualcoder_qde, write_qdpx_file


def test_export_then_import_into_a_fresh_home_keeps_codes_and_coded_text(tmp_path: Path) -> None:
    notes, _ = planted(per_theme=12)
    table = tmp_path / "answers.csv"
    with table.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "who", "text"])
        for n in notes:
            writer.writerow([n.id, n.participant, n.text])
    qdpx = tmp_path / "answers.qdpx"
    out = run_cli(
        tmp_path / "a",
        "themes",
        str(table),
        "--id-column",
        "id",
        "--participant-column",
        "who",
        "--export-qdpx",
        str(qdpx),
        "--json",
    )
    exported = json.loads(out.stdout)
    fresh = tmp_path / "b"
    done = json.loads(run_cli(fresh, "book", "import-qdpx", str(qdpx), "--json").stdout)
    assert done["book"] == "qdpx:answers"
    assert done["themes"] == len(exported["themes"])
    shown = json.loads(run_cli(fresh, "book", "notes", "qdpx:answers", "--json").stdout)
    labels = {t["id"]: t["label"] for t in shown["themes"]}
    imported = {(labels[n["theme"]], n["text"]) for n in shown["result"]}
    text = {n.id: " ".join(n.text.split()) for n in notes}
    theme_label = {t["id"]: t["label"] for t in exported["themes"]}
    expected = {
        (theme_label[a["theme"]], text[a["id"]])
        for a in exported["assignments"]
        if a["theme"] is not None
    }
    assert imported == expected


def test_broken_file_fails_with_json_error_and_writes_nothing(tmp_path: Path) -> None:
    bad = write_qdpx_file(tmp_path / "bad.qdpx", qualcoder_qde(), {"sources/ben.txt": "x"})
    proc = run_cli(tmp_path / "h", "book", "import-qdpx", str(bad), "--json", check=False)
    assert proc.returncode == 1
    assert (
        "names internal://anna.txt, but the archive has no such file"
        in json.loads(proc.stdout)["error"]
    )
    shown = run_cli(tmp_path / "h", "book", "show", "qdpx:Onboarding study", "--json", check=False)
    assert shown.returncode == 1 and "has no theme book" in shown.stdout


def test_people_and_trend_per_platform(tmp_path: Path) -> None:
    home = tmp_path / "h"
    good = write_qdpx_file(tmp_path / "p.qdpx", qualcoder_qde())
    run_cli(home, "book", "import-qdpx", str(good), "--book", "onb", "--json")
    people = tmp_path / "people.csv"
    people.write_text("participant,tier\nAnna,pro\nBen,free\n")
    listed = json.loads(run_cli(home, "book", "people", "onb", str(people), "--json").stdout)
    assert listed["people"]["Anna"] == {"platform": "ios", "tier": "pro"}  # case variable kept
    trend = json.loads(
        run_cli(home, "book", "trend", "onb", "--by", "platform", "--min-n", "2", "--json").stdout
    )
    assert trend["groups"] == ["android", "ios"]
    admin = next(t["id"] for t in trend["themes"] if t["label"] == "Admin access")
    cells = {c["group"]: c for c in trend["cells"] if c["theme"] == admin}
    assert cells["ios"]["participants"] == 1 and cells["ios"]["n"] == 1
    assert cells["ios"]["small_sample"] is True
    refused = run_cli(home, "book", "trend", "onb", "--by", "persona", "--json", check=False)
    assert refused.returncode == 1
    assert "(week, platform, tier)" in json.loads(refused.stdout)["error"]
    text = run_cli(home, "book", "trend", "onb", "--by", "week").stdout
    assert "share of participants by week" in text


def test_import_into_a_study_then_synthesize_keeps_the_coded_themes(tmp_path: Path) -> None:
    home = tmp_path / "h"
    fn = Fieldnote(Settings(home=home))
    try:
        fn.projects.ensure_default()
        research = ResearchStore(fn.repository)
        question, _ = research.open_or_update(
            DEFAULT_PROJECT, anomaly_key=None, text="Why do teams stall?", evidence={}
        )
        study = str(
            research.propose_study(
                DEFAULT_PROJECT, question.id, plan={}, quota=(5, 8), deadline=timedelta(days=2)
            ).id
        )
    finally:
        fn.close()
    good = write_qdpx_file(tmp_path / "p.qdpx", qualcoder_qde())
    missing = run_cli(
        home, "book", "import-qdpx", str(good), "--study", "999", "--json", check=False
    )
    assert missing.returncode == 1 and "no study 999" in json.loads(missing.stdout)["error"]
    done = json.loads(
        run_cli(home, "book", "import-qdpx", str(good), "--study", study, "--json").stdout
    )
    assert done["book"] == f"study:{study}" and done["transcripts_new"] == 2
    run = json.loads(run_cli(home, "synthesize", "--study", study, "--json").stdout)
    assert run["interviews"] == 2
    shown = json.loads(run_cli(home, "book", "notes", f"study:{study}", "--json").stdout)
    labels = {t["id"]: t["label"] for t in shown["themes"]}
    coded = {n["text"]: labels[n["theme"]] for n in shown["result"] if n["pinned"]}
    assert coded["I wait days for admin access."] == "Admin access"
    assert coded["I love the dashboard."] == "Praise"
