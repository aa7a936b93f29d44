"""QDPX import: a REFI-QDA project from Taguette/QualCoder (or our own export) becomes
transcripts, themes and coded notes; a broken file imports nothing and says why."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from fieldnote.repository import (
    InterviewStore,
    Projects,
    Repository,
    ThemeBook,
    ThemeBookError,
    import_qdpx,
)
from fieldnote.repository._themebook_people import BookPeople
from fieldnote.synthesis import QdpxError, read_qdpx, synthesize, write_qdpx
from tests.synthesis._corpus import planted

ANNA = "I wait days for admin access. Then I export everything to Excel.\nSync is fine."
BEN = "Admin rights never arrive on mobile.\nI love the dashboard."
CODE_ADMIN, CODE_EXPORT, CODE_PRAISE, CODE_PARENT = (
    "C1000000-0000-4000-8000-000000000001",
    "C1000000-0000-4000-8000-000000000002",
    "C1000000-0000-4000-8000-000000000003",
    "C1000000-0000-4000-8000-000000000004",
)


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def qualcoder_qde(*, extra_selection: str = "", anna_path: str = "internal://anna.txt") -> str:
    """A project.qde in the shape QualCoder writes: nested codes, cases with variables,
    lowercase sources/ folder, one selection coded twice, a picture source."""
    a1, a2 = _span(ANNA, "I wait days for admin access."), _span(ANNA, "export everything to Excel")
    b1, b2 = _span(BEN, "Admin rights never arrive on mobile."), _span(BEN, "I love the dashboard.")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Onboarding study" origin="QualCoder 3.5">
 <Users><User guid="U0000000-0000-4000-8000-000000000001" name="res"/></Users>
 <CodeBook><Codes>
  <Code guid="{CODE_PARENT}" name="Pain points" isCodable="false">
   <Code guid="{CODE_ADMIN}" name="Admin access" isCodable="true"><Description>waits</Description></Code>
   <Code guid="{CODE_EXPORT}" name="Workaround: Excel" isCodable="true"/>
  </Code>
  <Code guid="{CODE_PRAISE}" name="Praise" isCodable="true"/>
 </Codes></CodeBook>
 <Variables><Variable guid="V1" name="platform" typeOfVariable="Text"/></Variables>
 <Cases>
  <Case guid="K1" name="Anna"><VariableValue><VariableRef targetGUID="V1"/><TextValue>ios</TextValue></VariableValue><SourceRef targetGUID="S1"/></Case>
  <Case guid="K2" name="Ben"><VariableValue><VariableRef targetGUID="V1"/><TextValue>android</TextValue></VariableValue><SourceRef targetGUID="S2"/></Case>
 </Cases>
 <Sources>
  <TextSource guid="S1" name="interview-anna" plainTextPath="{anna_path}">
   <PlainTextSelection guid="P1" name="a1" startPosition="{a1[0]}" endPosition="{a1[1]}">
    <Coding guid="G1"><CodeRef targetGUID="{CODE_ADMIN}"/></Coding></PlainTextSelection>
   <PlainTextSelection guid="P2" name="a2" startPosition="{a2[0]}" endPosition="{a2[1]}">
    <Coding guid="G2"><CodeRef targetGUID="{CODE_EXPORT}"/></Coding></PlainTextSelection>
   {extra_selection}
  </TextSource>
  <TextSource guid="S2" name="interview-ben" plainTextPath="internal://ben.txt">
   <PlainTextSelection guid="P3" name="b1" startPosition="{b1[0]}" endPosition="{b1[1]}">
    <Coding guid="G3"><CodeRef targetGUID="{CODE_ADMIN}"/></Coding></PlainTextSelection>
   <PlainTextSelection guid="P4" name="b1 again" startPosition="{b1[0]}" endPosition="{b1[1]}">
    <Coding guid="G4"><CodeRef targetGUID="{CODE_PARENT}"/></Coding></PlainTextSelection>
   <PlainTextSelection guid="P5" name="b2" startPosition="{b2[0]}" endPosition="{b2[1]}">
    <Coding guid="G5"><CodeRef targetGUID="{CODE_PRAISE}"/></Coding></PlainTextSelection>
  </TextSource>
  <PictureSource guid="S3" name="whiteboard" path="internal://board.png"/>
 </Sources>
</Project>"""


def write_qdpx_file(path: Path, qde: str, files: dict[str, str] | None = None) -> Path:
    files = {"sources/anna.txt": ANNA, "sources/ben.txt": BEN} if files is None else files
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, text in files.items():
            archive.writestr(name, text)
    return path


@pytest.fixture
def repo(repository: Repository) -> Repository:
    repository.upgrade()
    Projects(repository).create("acme")
    return repository


def test_qualcoder_shaped_project_becomes_transcripts_themes_and_coded_notes(
    repo: Repository, tmp_path: Path
) -> None:
    parsed = read_qdpx(write_qdpx_file(tmp_path / "p.qdpx", qualcoder_qde()))
    assert parsed.skipped_sources == 1  # the picture
    assert [c.name for c in parsed.codes] == [
        "Pain points",
        "Admin access",
        "Workaround: Excel",
        "Praise",
    ]
    assert parsed.attributes == {"Anna": {"platform": "ios"}, "Ben": {"platform": "android"}}
    book = ThemeBook(repo, "acme", "qdpx:onboarding")
    done = import_qdpx(book, parsed)
    assert (done.themes_new, done.notes_new, done.transcripts_new) == (4, 4, 2)
    themes = {t.label: t for t in book.themes()}
    assert set(themes) == {"Pain points", "Admin access", "Workaround: Excel", "Praise"}
    assert all(t.renamed for t in themes.values())
    notes = {n.text: n for n in book.notes()}
    admin = notes["I wait days for admin access."]
    assert admin.theme == themes["Admin access"].id and admin.pinned
    assert admin.participant == "Anna" and admin.tags == ("Admin access",)
    coded_twice = notes["Admin rights never arrive on mobile."]
    assert coded_twice.tags == ("Admin access", "Pain points")
    assert themes["Admin access"].participants == 2
    # figures from the coded notes, as synthesis computes them for a theme
    praise = themes["Praise"]
    assert (praise.kind, praise.sentiment) == ("praise", 0.6369)
    assert praise.intensity is not None and praise.intensity > 0.5
    transcript = InterviewStore(repo).get("acme", admin.source)
    assert transcript.participant == "Anna"
    assert [u.text for u in transcript.utterances] == ANNA.splitlines()
    assert BookPeople(book).get()["Ben"] == {"platform": "android"}
    again = import_qdpx(book, read_qdpx(tmp_path / "p.qdpx"))
    assert (again.themes_new, again.notes_new, again.transcripts_new) == (0, 0, 0)
    assert len(book.notes()) == 4


def test_round_trip_export_then_import_keeps_codes_and_coded_text(
    repo: Repository, tmp_path: Path
) -> None:
    notes, _ = planted()
    result = synthesize(notes)
    path = tmp_path / "themes.qdpx"
    write_qdpx(result, path, project="planted")
    book = ThemeBook(repo, "acme", "qdpx:planted")
    import_qdpx(book, read_qdpx(path))
    label = {t.id: t.label for t in result.themes}
    text = {n.id: " ".join(n.text.split()) for n in notes}
    exported: dict[str, set[str]] = {}
    for a in result.assignments:
        if a.theme is not None:
            exported.setdefault(label[a.theme], set()).add(text[a.note_id])
    imported_label = {t.id: t.label for t in book.themes()}
    imported: dict[str, set[str]] = {}
    for n in book.notes():
        assert n.theme is not None
        imported.setdefault(imported_label[n.theme], set()).add(n.text)
    assert imported == exported


def test_a_project_without_the_namespace_and_flat_path_codes(
    repo: Repository, tmp_path: Path
) -> None:
    """Taguette names codes by their path ("pain/admin") in one flat list; some writers
    leave out the xmlns declaration. Both import."""
    start, end = _span(ANNA, "I wait days for admin access.")
    qde = f"""<?xml version="1.0"?>
<Project name="taguette export"><CodeBook><Codes>
 <Code guid="A" name="pain/admin" isCodable="true"/><Code guid="B" name="pain" isCodable="true"/>
</Codes></CodeBook><Sources>
 <TextSource guid="S1" name="anna.html" plainTextPath="internal://S1.txt">
  <PlainTextSelection guid="H1" startPosition="{start}" endPosition="{end}">
   <Coding guid="C1"><CodeRef targetGUID="A"/></Coding><Coding guid="C2"><CodeRef targetGUID="B"/></Coding>
  </PlainTextSelection></TextSource>
</Sources></Project>"""
    parsed = read_qdpx(write_qdpx_file(tmp_path / "t.qdpx", qde, {"Sources/S1.txt": ANNA}))
    book = ThemeBook(repo, "acme", "qdpx:t")
    import_qdpx(book, parsed)
    (note,) = book.notes()
    assert note.text == "I wait days for admin access."
    assert note.tags == ("pain/admin", "pain") and note.participant == "anna.html"
    assert {t.label for t in book.themes()} == {"pain/admin", "pain"}


def _broken(tmp_path: Path, name: str, qde: str, files: dict[str, str] | None = None) -> Path:
    return write_qdpx_file(tmp_path / f"{name}.qdpx", qde, files)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("malformed", "not well-formed XML at line 3"),
        ("missing-source", "names internal://anna.txt, but the archive has no such file"),
        ("zip-slip", "entry '../../evil.txt' points outside the archive"),
        ("unsafe-path", "unsafe plainTextPath 'internal://../anna.txt'"),
        ("outside-text", "positions 5-9999 are outside the text"),
        ("unknown-code", "CodeRef 'NOPE' names no code in the CodeBook"),
        ("not-refi", "not a REFI-QDA Project"),
    ],
)
def test_a_broken_file_says_why_and_imports_nothing(
    repo: Repository, tmp_path: Path, case: str, message: str
) -> None:
    good = qualcoder_qde()
    if case == "malformed":
        path = _broken(tmp_path, case, good.replace("<Users>", "<Users><User", 1))
    elif case == "missing-source":
        path = _broken(tmp_path, case, good, {"sources/ben.txt": BEN})
    elif case == "zip-slip":
        files = {"sources/anna.txt": ANNA, "sources/ben.txt": BEN, "../../evil.txt": "x"}
        path = _broken(tmp_path, case, good, files)
    elif case == "unsafe-path":
        path = _broken(tmp_path, case, qualcoder_qde(anna_path="internal://../anna.txt"))
    elif case == "outside-text":
        bad = '<PlainTextSelection guid="PX" startPosition="5" endPosition="9999"/>'
        path = _broken(tmp_path, case, qualcoder_qde(extra_selection=bad))
    elif case == "unknown-code":
        bad = (
            '<PlainTextSelection guid="PX" startPosition="0" endPosition="4">'
            '<Coding guid="GX"><CodeRef targetGUID="NOPE"/></Coding></PlainTextSelection>'
        )
        path = _broken(tmp_path, case, qualcoder_qde(extra_selection=bad))
    else:
        qdc = '<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
        path = _broken(tmp_path, case, qdc)  # a codebook (.qdc) renamed .qdpx
    with pytest.raises(QdpxError) as caught:
        read_qdpx(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    with pytest.raises(ThemeBookError):
        ThemeBook(repo, "acme", "qdpx:x").themes()
    assert InterviewStore(repo).list("acme") == []


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "notes.qdpx"
    path.write_text("hello")
    with pytest.raises(QdpxError, match="not a QDPX \\(zip\\) file"):
        read_qdpx(path)
    with pytest.raises(QdpxError, match="no such file"):
        read_qdpx(tmp_path / "absent.qdpx")


def test_a_write_failure_rolls_back_everything(repo: Repository, tmp_path: Path) -> None:
    """A case name the book cannot hold fails after transcripts and notes were written in
    the same transaction: nothing of the import remains."""
    long_case = (
        f'<Case guid="K3" name="{"B" * 300}"><VariableValue><VariableRef targetGUID="V1"/>'
        "<TextValue>web</TextValue></VariableValue></Case>"
    )
    qde = qualcoder_qde().replace("</Cases>", long_case + "</Cases>")
    parsed = read_qdpx(write_qdpx_file(tmp_path / "long.qdpx", qde))
    with pytest.raises(ThemeBookError, match="needs 1 to 200 characters"):
        import_qdpx(ThemeBook(repo, "acme", "qdpx:long"), parsed)
    assert InterviewStore(repo).list("acme") == []
    with pytest.raises(ThemeBookError):
        ThemeBook(repo, "acme", "qdpx:long").themes()
