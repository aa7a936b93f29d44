"""Theme book I/O: QDPX import and themes over time / per segment at scale.

``python -m bench themebook [--sources 1000] [--lines 20]`` writes a REFI-QDA project
of SOURCES text sources with LINES coded lines each (8 codes, cases with a platform
variable), then times ``read_qdpx`` (parse and check), ``import_qdpx`` (one
transaction into a fresh SQLite repository), the book reads the affinity map makes
(``themes()`` + ``notes()``), and ``book_trend`` by week and by platform. No peer tool
is named for these; the figures size the pages and commands.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zipfile
from pathlib import Path

from fieldnote.repository import Projects, Repository, ThemeBook, book_trend, import_qdpx
from fieldnote.synthesis import read_qdpx

CODES = 8
PLATFORMS = ("ios", "android", "web")


def _project(path: Path, sources: int, lines: int) -> Path:
    codes = "".join(f'<Code guid="C{c}" name="Code {c}" isCodable="true"/>' for c in range(CODES))
    cases, body, files = [], [], {}
    for s in range(sources):
        text_lines = [
            f"Participant {s} said thing number {i} about topic {i % CODES}." for i in range(lines)
        ]
        text = "\n".join(text_lines)
        files[f"Sources/S{s}.txt"] = text
        pos, selections = 0, []
        for i, line in enumerate(text_lines):
            selections.append(
                f'<PlainTextSelection guid="P{s}-{i}" startPosition="{pos}" endPosition="{pos + len(line)}">'
                f'<Coding guid="G{s}-{i}"><CodeRef targetGUID="C{i % CODES}"/></Coding></PlainTextSelection>'
            )
            pos += len(line) + 1
        body.append(
            f'<TextSource guid="S{s}" name="source {s}" plainTextPath="internal://S{s}.txt">'
            + "".join(selections)
            + "</TextSource>"
        )
        cases.append(
            f'<Case guid="K{s}" name="person {s}"><VariableValue><VariableRef targetGUID="V1"/>'
            f"<TextValue>{PLATFORMS[s % 3]}</TextValue></VariableValue>"
            f'<SourceRef targetGUID="S{s}"/></Case>'
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="bench">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
        '<Variables><Variable guid="V1" name="platform" typeOfVariable="Text"/></Variables>'
        f"<Cases>{''.join(cases)}</Cases><Sources>{''.join(body)}</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def _timed(label: str, results: dict[str, float], call):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = call()
    results[label] = round(time.perf_counter() - start, 3)
    print(f"{label:>28}: {results[label]:8.3f} s")
    return value


def main(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench themebook")
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args(argv)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        qdpx = _project(folder / "bench.qdpx", args.sources, args.lines)
        repo = Repository(f"sqlite:///{folder / 'repo.sqlite'}")
        repo.upgrade()
        Projects(repo).create("bench")
        book = ThemeBook(repo, "bench", "qdpx:bench")
        parsed = _timed("read_qdpx", results, lambda: read_qdpx(qdpx))
        done = _timed("import_qdpx", results, lambda: import_qdpx(book, parsed))
        _timed("book themes()+notes()", results, lambda: (book.themes(), book.notes()))
        _timed("book_trend by week", results, lambda: book_trend(book, "week"))
        trend = _timed("book_trend by platform", results, lambda: book_trend(book, "platform"))
        repo.dispose()
    notes = args.sources * args.lines
    print(f"{notes:,} coded notes, {done.transcripts} transcripts, groups {trend.groups}")
    return {"sources": args.sources, "lines": args.lines, "notes": notes, "seconds": results}
