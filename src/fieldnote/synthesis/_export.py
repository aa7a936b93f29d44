"""Exports: notes with their themes as CSV, and themes as a REFI-QDA project (QDPX).

QDPX is the exchange format of Taguette, QualCoder, ATLAS.ti, NVivo and MAXQDA: a zip
with ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and ``Sources/``. Each
source (interview, or input row) becomes one plain-text source holding its notes one
per line; each theme becomes a code; each assigned note a coded text selection
(character positions into that text). GUIDs are derived from the ids (uuid5), so the
same synthesis exports byte-identical XML.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from fieldnote.synthesis._model import Synthesis

__all__ = ["QDA_NAMESPACE", "notes_csv", "write_qdpx"]

QDA_NAMESPACE = "urn:QDA-XML:project:1.0"
_ROOT = uuid.UUID("6f1c3a52-5a0e-4d6b-9f49-8f0e3c1b2a77")


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_ROOT, f"{kind}:{key}")).upper()


def notes_csv(result: Synthesis) -> str:
    """One row per note: id, source, participant, start, text, theme id and label."""
    label = {t.id: t.label for t in result.themes}
    theme_of = {a.note_id: a.theme for a in result.assignments}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "source", "participant", "start", "text", "theme", "theme_label"])
    for n in result.notes:
        theme = theme_of.get(n.id)
        writer.writerow(
            [
                n.id,
                n.source,
                n.participant or "",
                "" if n.start is None else n.start,
                n.text,
                theme or "",
                label.get(theme, "") if theme else "",
            ]
        )
    return out.getvalue()


def write_qdpx(result: Synthesis, path: Path, *, project: str = "fieldnote themes") -> None:
    ET.register_namespace("", QDA_NAMESPACE)
    q = f"{{{QDA_NAMESPACE}}}"
    user = _guid("user", "fieldnote")
    stamp = datetime(2000, 1, 1, tzinfo=UTC).isoformat()
    root = ET.Element(
        f"{q}Project",
        {
            "name": project,
            "origin": "fieldnote",
            "creatingUserGUID": user,
            "creationDateTime": stamp,
        },
    )
    users = ET.SubElement(root, f"{q}Users")
    ET.SubElement(users, f"{q}User", {"guid": user, "name": "fieldnote"})
    codes = ET.SubElement(ET.SubElement(root, f"{q}CodeBook"), f"{q}Codes")
    for t in result.themes:
        code = ET.SubElement(
            codes, f"{q}Code", {"guid": _guid("code", t.id), "name": t.label, "isCodable": "true"}
        )
        ET.SubElement(
            code, f"{q}Description"
        ).text = f"{t.id}; {t.kind}; {t.participants} participants; keyphrases: {', '.join(t.keyphrases)}"
    theme_of = {a.note_id: a.theme for a in result.assignments}
    by_source: dict[str, list[tuple[str, str]]] = {}
    for n in result.notes:
        by_source.setdefault(n.source, []).append((n.id, n.text))
    sources = ET.SubElement(root, f"{q}Sources")
    files: dict[str, str] = {}
    for source, notes in by_source.items():
        sguid = _guid("source", source)
        element = ET.SubElement(
            sources,
            f"{q}TextSource",
            {"guid": sguid, "name": source, "plainTextPath": f"internal://{sguid}.txt"},
        )
        position = 0
        lines = []
        for note_id, text in notes:
            line = " ".join(text.split())
            theme = theme_of.get(note_id)
            if theme is not None:
                selection = ET.SubElement(
                    element,
                    f"{q}PlainTextSelection",
                    {
                        "guid": _guid("selection", note_id),
                        "name": note_id,
                        "startPosition": str(position),
                        "endPosition": str(position + len(line)),
                        "creatingUser": user,
                    },
                )
                coding = ET.SubElement(
                    selection,
                    f"{q}Coding",
                    {"guid": _guid("coding", note_id), "creatingUser": user},
                )
                ET.SubElement(coding, f"{q}CodeRef", {"targetGUID": _guid("code", theme)})
            lines.append(line)
            position += len(line) + 1
        files[f"Sources/{sguid}.txt"] = "\n".join(lines)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for name, text in sorted(files.items()):
            archive.writestr(name, text.encode("utf-8"))
