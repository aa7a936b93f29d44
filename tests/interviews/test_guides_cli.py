"""``fieldnote guides lint`` as a real CLI process: file, stdin, JSON, errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_lint_file_json(home: Path, tmp_path: Path) -> None:
    guide = tmp_path / "guide.txt"
    guide.write_text(
        "Tell me about the last time you built a report.\n\nWould you pay for this?\n",
        encoding="utf-8",
    )
    out = json.loads(run_cli(home, "guides", "lint", str(guide), "--json").stdout)
    assert [q["text"] for q in out["questions"]] == [
        "Tell me about the last time you built a report.",
        "Would you pay for this?",
    ]
    assert out["questions"][0]["issues"] == []
    flagged = out["questions"][1]["issues"]
    assert {i["kind"] for i in flagged} == {"closed", "hypothetical"}
    assert all(set(i) == {"kind", "message", "rewrite"} for i in flagged)


def test_lint_stdin_text_output(home: Path) -> None:
    proc = run_cli(home, "guides", "lint", "-", input="Why did you stop at the integration step?\n")
    assert "why" in proc.stdout
    assert "Take me back to when you decided to stop at the integration step" in proc.stdout


def test_lint_missing_file_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    proc = run_cli(home, "guides", "lint", str(tmp_path / "nope.txt"), "--json", check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {"error": f"{tmp_path / 'nope.txt'}: no such file"}
