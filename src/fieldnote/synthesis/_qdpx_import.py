"""Reading REFI-QDA project files (QDPX) that Taguette, QualCoder, ATLAS.ti, NVivo,
MAXQDA and ``write_qdpx`` produce, into plain typed data.

A ``.qdpx`` is a zip holding ``project.qde`` (XML in ``urn:QDA-XML:project:1.0``) and
the sources' text under ``Sources/`` (``plainTextPath="internal://<file>"``; tools
disagree on the folder's case, so the file is found by its name). What is read:

- ``CodeBook/Codes/Code`` (guid, name, nested codes): the codes;
- ``Sources/TextSource`` with its text (``plainTextPath`` or inline
  ``PlainTextContent``) and ``PlainTextSelection`` (character ``startPosition`` /
  ``endPosition`` into that text) with ``Coding/CodeRef targetGUID``;
- ``Cases/Case`` with ``SourceRef`` (the case names the participant of its sources)
  and ``VariableValue`` (participant attributes, e.g. platform or tier).

Everything is checked before anything is returned, so an import either has the whole
project or a ``QdpxError`` saying what is wrong and where: malformed XML (line and
column), an archive entry outside the archive (zip-slip), a missing source file, a
selection outside its text, a coding that names no code. Picture, audio and PDF
sources carry no plain text here and are counted as skipped, not silently lost.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

__all__ = ["QdpxCode", "QdpxError", "QdpxProject", "QdpxSelection", "QdpxSource", "read_qdpx"]

_NS = "{urn:QDA-XML:project:1.0}"
MAX_ENTRY_BYTES = 200 * 1024 * 1024
"""A source or project.qde larger than this is refused (a zip bomb would be)."""


class QdpxError(ValueError):
    """A QDPX file that cannot be imported; the message names the file, entry and reason."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QdpxCode:
    guid: str
    name: str
    description: str
    parent: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class QdpxSelection:
    guid: str
    start: int
    end: int
    text: str
    codes: tuple[str, ...]
    """Code guids, in document order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QdpxSource:
    guid: str
    name: str
    text: str
    selections: tuple[QdpxSelection, ...]
    participant: str
    """The name of the case that holds this source, else the source's own name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QdpxProject:
    name: str
    origin: str
    codes: tuple[QdpxCode, ...]
    sources: tuple[QdpxSource, ...]
    attributes: dict[str, dict[str, str]]
    """Participant (case name) → variable name → value."""
    skipped_sources: int


def _entries(path: Path, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        normal = posixpath.normpath(name)
        if name.startswith("/") or normal == ".." or normal.startswith("../") or ":" in name:
            raise QdpxError(f"{path}: entry {info.filename!r} points outside the archive")
        if info.file_size > MAX_ENTRY_BYTES:
            raise QdpxError(f"{path}: entry {info.filename!r} is larger than 200 MiB")
        entries[normal] = info
    return entries


def _read_text(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    raw = archive.read(info)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QdpxError(f"{path}: {info.filename} is not UTF-8 text (byte {exc.start})") from None


def _codes(root: ET.Element) -> list[QdpxCode]:
    out: list[QdpxCode] = []

    def walk(parent: ET.Element, parent_guid: str | None) -> None:
        for code in parent.findall(f"{_NS}Code"):
            guid, name = code.get("guid"), code.get("name")
            if not guid or not name:
                raise QdpxError(f"a Code needs guid and name (got guid={guid!r}, name={name!r})")
            description = code.findtext(f"{_NS}Description") or ""
            out.append(
                QdpxCode(guid=guid, name=name.strip(), description=description, parent=parent_guid)
            )
            walk(code, guid)

    codes = root.find(f"{_NS}CodeBook/{_NS}Codes")
    if codes is not None:
        walk(codes, None)
    return out


def _cases(root: ET.Element) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Source guid → case name, and case name → variable values."""
    names = {
        v.get("guid", ""): v.get("name", "") for v in root.iter(f"{_NS}Variable") if v.get("guid")
    }
    owner: dict[str, str] = {}
    attributes: dict[str, dict[str, str]] = {}
    for case in root.iter(f"{_NS}Case"):
        name = (case.get("name") or "").strip()
        if not name:
            continue
        for source_ref in case.findall(f"{_NS}SourceRef"):
            owner.setdefault(source_ref.get("targetGUID", ""), name)
        for value in case.findall(f"{_NS}VariableValue"):
            ref = value.find(f"{_NS}VariableRef")
            variable = names.get(ref.get("targetGUID", "") if ref is not None else "")
            found = next((c.text for c in value if c.tag != f"{_NS}VariableRef" and c.text), None)
            if variable and found is not None:
                attributes.setdefault(name, {})[variable] = found.strip()
    return owner, attributes


def _source_text(
    path: Path,
    archive: zipfile.ZipFile,
    by_name: dict[str, zipfile.ZipInfo],
    source: ET.Element,
    label: str,
) -> str:
    inline = source.findtext(f"{_NS}PlainTextContent")
    if inline:
        return inline
    where = source.get("plainTextPath")
    if not where:
        raise QdpxError(f"{path}: source {label} has neither plainTextPath nor PlainTextContent")
    if not where.startswith("internal://"):
        raise QdpxError(
            f"{path}: source {label} points outside the archive ({where}); "
            "export the project with its sources included"
        )
    wanted = where.removeprefix("internal://")
    if "/" in wanted.strip("/") or "\\" in wanted or wanted in ("", ".", ".."):
        raise QdpxError(f"{path}: source {label} has an unsafe plainTextPath {where!r}")
    info = by_name.get(wanted.lower())
    if info is None:
        raise QdpxError(f"{path}: source {label} names {where}, but the archive has no such file")
    return _read_text(path, archive, info)


def _selections(
    path: Path, source: ET.Element, label: str, text: str, codes: set[str]
) -> list[QdpxSelection]:
    out: list[QdpxSelection] = []
    for sel in source.findall(f"{_NS}PlainTextSelection"):
        guid = sel.get("guid") or ""
        where = f"{path}: source {label}, selection {sel.get('name') or guid}"
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            raise QdpxError(f"{where}: startPosition/endPosition must be integers") from None
        if not 0 <= start < end <= len(text):
            raise QdpxError(
                f"{where}: positions {start}-{end} are outside the text (0-{len(text)})"
            )
        refs: list[str] = []
        for ref in sel.iterfind(f"{_NS}Coding/{_NS}CodeRef"):
            target = ref.get("targetGUID") or ""
            if target not in codes:
                raise QdpxError(f"{where}: CodeRef {target!r} names no code in the CodeBook")
            refs.append(target)
        out.append(
            QdpxSelection(guid=guid, start=start, end=end, text=text[start:end], codes=tuple(refs))
        )
    return out


def read_qdpx(path: Path) -> QdpxProject:
    """The whole project, checked; ``QdpxError`` (nothing partial) when it cannot be read."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise QdpxError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise QdpxError(f"{path}: not a QDPX (zip) file ({exc})") from None
    with archive:
        entries = _entries(path, archive)
        qde = entries.get("project.qde")
        if qde is None:
            raise QdpxError(f"{path}: no project.qde at the top of the archive")
        try:
            root = ET.fromstring(archive.read(qde))
        except ET.ParseError as exc:
            line, column = exc.position
            raise QdpxError(
                f"{path}: project.qde is not well-formed XML at line {line}, column {column + 1}"
            ) from None
        if root.tag == "Project":  # written without the namespace declaration: read it as one
            for element in root.iter():
                if isinstance(element.tag, str) and not element.tag.startswith("{"):
                    element.tag = _NS + element.tag
        if root.tag != f"{_NS}Project":
            raise QdpxError(
                f"{path}: project.qde's root is {root.tag!r}, not a REFI-QDA Project "
                "(namespace urn:QDA-XML:project:1.0)"
            )
        try:
            codes = _codes(root)
        except QdpxError as exc:
            raise QdpxError(f"{path}: {exc}") from None
        guids = {c.guid for c in codes}
        owner, attributes = _cases(root)
        by_name = {posixpath.basename(k).lower(): v for k, v in entries.items()}
        sources: list[QdpxSource] = []
        skipped = 0
        holder = root.find(f"{_NS}Sources")
        for element in holder if holder is not None else ():
            if element.tag != f"{_NS}TextSource":
                skipped += 1
                continue
            guid = element.get("guid") or ""
            name = (element.get("name") or guid).strip()
            if not guid:
                raise QdpxError(f"{path}: a TextSource ({name!r}) has no guid")
            label = repr(name)
            text = _source_text(path, archive, by_name, element, label)
            sources.append(
                QdpxSource(
                    guid=guid,
                    name=name,
                    text=text,
                    selections=tuple(_selections(path, element, label, text, guids)),
                    participant=owner.get(guid, name),
                )
            )
    return QdpxProject(
        name=root.get("name") or path.stem,
        origin=root.get("origin") or "",
        codes=tuple(codes),
        sources=tuple(sources),
        attributes=attributes,
        skipped_sources=skipped,
    )
