"""``fieldnote guides new/draft/save/show/export/versions`` as a real CLI process."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_guide_lifecycle(home: Path, tmp_path: Path) -> None:
    drafted = json.loads(
        run_cli(
            home,
            "guides",
            "draft",
            "Integration drop",
            "--question",
            "Mobile users stop at integrations; we do not know why.",
            "--step",
            "integration_step_viewed",
            "--segment",
            "dropped at step 3 on mobile",
            "--json",
        ).stdout
    )
    assert drafted["version"] == 1 and drafted["lint"] == []
    assert drafted["budgets"]["problem"] == 12.0

    edited = drafted | {"planned_minutes": 45}
    edited["sections"][2]["questions"].append({"text": "Would a one-tap admin request help you?"})
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited))
    saved = json.loads(run_cli(home, "guides", "save", str(path), "--json").stdout)
    assert saved["version"] == 2 and saved["budgets"]["problem"] == 18.0
    assert {i["kind"] for f in saved["lint"] for i in f["issues"]} >= {
        "hypothetical",
        "solution_pitch",
    }

    versions = json.loads(run_cli(home, "guides", "versions", "Integration drop", "--json").stdout)
    assert [v["version"] for v in versions["versions"]] == [1, 2]
    out = tmp_path / "guide.md"
    run_cli(home, "guides", "export", "Integration drop", "--version", "1", "-o", str(out))
    assert out.read_text().startswith("# Integration drop (v1)")

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(drafted | {"planned_minutes": "soon"}))
    proc = run_cli(home, "guides", "save", str(bad), "--json", check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"] == (
        f"{bad}: planned_minutes: expected a whole number of minutes"
    )
