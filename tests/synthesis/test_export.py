"""Exports: CSV of notes with themes; QDPX whose selections point at the right text."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from fieldnote.synthesis import QDA_NAMESPACE, notes_csv, synthesize, write_qdpx
from tests.synthesis._corpus import planted

Q = f"{{{QDA_NAMESPACE}}}"


def test_csv_has_every_note_with_its_theme() -> None:
    notes, _ = planted()
    result = synthesize(notes)
    rows = list(csv.DictReader(io.StringIO(notes_csv(result))))
    assert [r["id"] for r in rows] == [n.id for n in notes]
    label = {t.id: t.label for t in result.themes}
    theme_of = {a.note_id: a.theme for a in result.assignments}
    for r in rows:
        assert r["theme"] == (theme_of[r["id"]] or "")
        assert r["theme_label"] == label.get(r["theme"], "")


def test_qdpx_codes_and_selections(tmp_path: Path) -> None:
    notes, _ = planted()
    result = synthesize(notes)
    path = tmp_path / "themes.qdpx"
    write_qdpx(result, path)
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        texts = {
            n: archive.read(n).decode() for n in archive.namelist() if n.startswith("Sources/")
        }
    assert root.tag == f"{Q}Project"
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{Q}Code")}
    assert sorted(codes.values()) == sorted(t.label for t in result.themes)
    text_of = {n.id: n.text for n in notes}
    label = {t.id: t.label for t in result.themes}
    theme_of = {a.note_id: a.theme for a in result.assignments}
    seen = 0
    for source in root.iter(f"{Q}TextSource"):
        body = texts[source.get("plainTextPath", "").replace("internal://", "Sources/")]
        for sel in source.iter(f"{Q}PlainTextSelection"):
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            note = sel.get("name", "")
            assert body[start:end] == text_of[note]
            ref = sel.find(f"{Q}Coding/{Q}CodeRef")
            assert ref is not None and codes[ref.get("targetGUID")] == label[theme_of[note]]
            seen += 1
    assert seen == sum(a.theme is not None for a in result.assignments)
    again = tmp_path / "again.qdpx"
    write_qdpx(result, again)
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(again) as b:
        assert a.read("project.qde") == b.read("project.qde")
