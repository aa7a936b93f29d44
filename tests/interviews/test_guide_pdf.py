"""PDF export of guides, read back with pypdf: every section, question and probe is in
the text, with a Unicode font and with the core-font fallback; and through the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pypdf
import pytest

from fieldnote.interviews.guides import GuideQuestion, new_guide, to_pdf
from fieldnote.interviews.guides import _pdf as pdf_module
from tests.conftest import run_cli


def _text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _guide() -> object:
    guide = new_guide("Café “onboarding”", template="discovery", minutes=40, goal="Find pains")
    problem = guide.sections[2]
    extra = GuideQuestion(
        text="Tell me about the last time you connected Zoë's calendar — what happened?",
        probes=("Who did you ask for help?",),
    )
    sections = list(guide.sections)
    sections[2] = replace(problem, questions=(*problem.questions, extra))
    return replace(guide, sections=tuple(sections), version=3)


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_pdf_holds_every_question_and_probe() -> None:
    guide = _guide()
    text = _squash(_text(to_pdf(guide)))  # type: ignore[arg-type]
    assert "Café “onboarding” (v3)" in text and "Goal: Find pains" in text
    assert "Problem - 16 min (40%, from 10 min)" in text
    for section in guide.sections:  # type: ignore[attr-defined]
        assert section.title in text
        for q in section.questions:
            assert _squash(q.text) in text
            for p in q.probes:
                assert f"Probe: {p}" in text


def test_core_font_fallback_when_no_unicode_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module, "FONT_DIRS", ())
    text = _squash(_text(to_pdf(_guide())))  # type: ignore[arg-type]
    assert 'Café "onboarding" (v3)' in text
    assert "connected Zoë's calendar - what happened?" in text


def test_cli_export_pdf(home: Path, tmp_path: Path) -> None:
    run_cli(home, "guides", "new", "Chat", "--template", "churn")
    out = tmp_path / "chat.pdf"
    done = json.loads(
        run_cli(
            home, "guides", "export", "Chat", "-o", str(out), "--format", "pdf", "--json"
        ).stdout
    )
    assert done == {"path": str(out), "name": "Chat", "version": 1, "format": "pdf"}
    shown = json.loads(run_cli(home, "guides", "show", "Chat", "--json").stdout)
    text = _squash(_text(out.read_bytes()))
    questions = [q["text"] for s in shown["sections"] for q in s["questions"]]
    assert questions and all(_squash(q) in text for q in questions)
    bad = run_cli(home, "guides", "export", "Chat", "-o", str(out), "--format", "doc", check=False)
    assert bad.returncode != 0 and "expected one of markdown, pdf" in bad.stdout + bad.stderr
