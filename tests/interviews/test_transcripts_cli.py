"""``fieldnote transcripts`` as a real CLI process on a real home."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.interviews.transcript_samples import write_samples


def test_import_mixed_formats_with_a_bad_file(home: Path, tmp_path: Path) -> None:
    paths = write_samples(tmp_path / "in")
    bad = tmp_path / "in" / "broken.json"
    bad.write_text('{"utterances": [{"speaker": "A"}]}')
    proc = run_cli(
        home, "transcripts", "import", *map(str, paths.values()), str(bad), "--json", check=False
    )
    assert proc.returncode == 1  # one file failed...
    out = json.loads(proc.stdout)
    assert out["errors"] == [
        {"source": str(bad), "line": None, "error": "item 0: no 'text' string"}
    ]
    assert len(out["interviews"]) == len(paths)  # ...and the rest are in
    zoom = next(i for i in out["interviews"] if i["source"].endswith("zoom.vtt"))
    assert {k: zoom[k] for k in ("format", "utterances", "participant_utterances")} == {
        "format": "vtt",
        "utterances": 4,
        "participant_utterances": 2,
    }
    assert zoom["speakers"][1] == {
        "name": "Sam Okafor",
        "role": "participant",
        "reason": "answers the questions",
    }

    listed = json.loads(run_cli(home, "transcripts", "list", "--json").stdout)
    assert len(listed["interviews"]) == len(paths)
    shown = json.loads(run_cli(home, "transcripts", "show", zoom["id"], "--json").stdout)
    assert shown["utterances"][1]["start"] == 10.3
    assert shown["utterances"][1]["speaker"] == "Participant"  # redacted by default
    raw = json.loads(run_cli(home, "transcripts", "show", zoom["id"], "--raw", "--json").stdout)
    assert raw["utterances"][1]["speaker"] == "Sam Okafor"
    assert [m["kind"] for m in shown["utterances"][1]["marks"]] == [
        "pause",
        "filler",
        "self_correction",
    ]

    again = json.loads(
        run_cli(home, "transcripts", "import", str(paths["zoom.vtt"]), "--json").stdout
    )
    assert again["interviews"][0]["created"] is False


def test_participant_option_and_unknown_study(home: Path, tmp_path: Path) -> None:
    paths = write_samples(tmp_path / "in")
    out = json.loads(
        run_cli(
            home,
            "transcripts",
            "import",
            str(paths["notes.txt"]),
            "--participant",
            "Maria",
            "--json",
        ).stdout
    )
    assert out["interviews"][0]["participant"] == "Maria"
    proc = run_cli(
        home,
        "transcripts",
        "import",
        str(paths["notes.txt"]),
        "--study",
        "42",
        "--json",
        check=False,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {"error": "this project has no study 42"}


def test_show_unknown_interview(home: Path) -> None:
    proc = run_cli(home, "transcripts", "show", "iv_nope", "--json", check=False)
    assert proc.returncode == 1
    assert "has no interview 'iv_nope'" in json.loads(proc.stdout)["error"]
