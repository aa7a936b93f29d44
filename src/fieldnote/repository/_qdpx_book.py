"""Importing a REFI-QDA project into the research repository, all or nothing.

Mapping (what a researcher coming from Taguette or QualCoder expects to find):

- each text source → a transcript (``format="qdpx"``, one participant utterance per
  non-empty line, in the study when one is given), so quotes open at their moment;
- each code → a theme of the book, named by hand (a re-run of synthesis keeps the
  name); a code whose name a live theme already has is that theme (re-importing the
  same file adds nothing);
- each coded selection → a note of the book: its text, its source, the codes as tags,
  and the first code as its theme, *pinned* (a person coded it, so synthesis keeps it);
- case variables → participant attributes of the book (themes per segment).

The file is fully parsed and checked (``read_qdpx``) before this runs, and everything
here is written in one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from fieldnote.interviews import Interview, Role, Speaker, Utterance
from fieldnote.repository._interviews import InterviewStore
from fieldnote.repository._themebook import (
    MAX_LABEL,
    BookNoteRow,
    BookThemeRow,
    ThemeBook,
    ThemeBookError,
)
from fieldnote.repository._themebook_people import BookPersonRow
from fieldnote.repository._themebook_stats import refresh_themes

if TYPE_CHECKING:  # fieldnote.synthesis loads scikit-learn: annotations only
    from fieldnote.synthesis import QdpxProject, QdpxSource

__all__ = ["QdpxImport", "import_qdpx"]

_ROOT = uuid.UUID("0b7e4c1d-2f8a-4f7e-9a51-3c2d1e0f9a88")


@dataclass(frozen=True, slots=True, kw_only=True)
class QdpxImport:
    book: str
    transcripts: int
    transcripts_new: int
    themes: int
    themes_new: int
    notes: int
    notes_new: int
    participants_with_attributes: int
    skipped_sources: int

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def interview_id(project: str, source: QdpxSource) -> str:
    """Stable per project and source guid: the same file imports to the same ids."""
    return "qdpx-" + uuid.uuid5(_ROOT, f"{project}:{source.guid}").hex[:20]


def _transcript(project: str, source: QdpxSource, study: str | None) -> Interview:
    lines = [line.strip() for line in source.text.splitlines() if line.strip()]
    return Interview(
        id=interview_id(project, source),
        source=f"qdpx:{source.name}",
        format="qdpx",
        study=study,
        participant=source.participant,
        speakers=(Speaker(name=source.participant, role=Role.PARTICIPANT, reason="qdpx source"),),
        utterances=tuple(
            Utterance(index=i, speaker=source.participant, role=Role.PARTICIPANT, text=line)
            for i, line in enumerate(lines)
        ),
    )


def _labels(qdpx: QdpxProject) -> dict[str, str]:
    """Code guid → theme label; a name used twice gets its parent's name in front."""
    names = {c.guid: c.name for c in qdpx.codes}
    counts: dict[str, int] = {}
    for c in qdpx.codes:
        counts[c.name] = counts.get(c.name, 0) + 1
    return {
        c.guid: (f"{names[c.parent]} / {c.name}" if counts[c.name] > 1 and c.parent else c.name)[
            :MAX_LABEL
        ]
        or c.guid
        for c in qdpx.codes
    }


def import_qdpx(book: ThemeBook, qdpx: QdpxProject, *, study: str | None = None) -> QdpxImport:
    """Write ``qdpx`` into ``book`` (created when new) and its sources as transcripts."""
    for source in qdpx.sources:
        if len(source.participant) > 200:
            raise ThemeBookError(
                f"source {source.name[:40]!r}: participant name longer than 200 characters"
            )
    labels = _labels(qdpx)
    transcripts = [_transcript(book.project, s, study) for s in qdpx.sources]
    with book.repository.session() as s:
        saved = InterviewStore(book.repository).save_in(s, book.project, transcripts)
        bid = book.book_id(s, create=True)
        rows = list(s.scalars(select(BookThemeRow).where(BookThemeRow.book_id == bid)))
        by_label = {r.label: r.theme for r in rows if r.merged_into is None}
        taken = {r.theme for r in rows}
        theme_of: dict[str, str] = {}
        themes_new = 0
        for code in qdpx.codes:
            label = labels[code.guid]
            if label not in by_label:
                n = 1
                while f"t{n}" in taken:
                    n += 1
                by_label[label] = f"t{n}"
                taken.add(f"t{n}")
                s.add(BookThemeRow(book_id=bid, theme=f"t{n}", label=label, renamed=True))
                themes_new += 1
            theme_of[code.guid] = by_label[label]
        existing = {
            r.note: r for r in s.scalars(select(BookNoteRow).where(BookNoteRow.book_id == bid))
        }
        notes = notes_new = 0
        for source, transcript in zip(qdpx.sources, transcripts, strict=True):
            merged: dict[tuple[int, int], list[str]] = {}
            for sel in source.selections:
                merged.setdefault((sel.start, sel.end), []).extend(sel.codes)
            for (start, end), codes in sorted(merged.items()):
                note_id = f"{transcript.id}@{start}-{end}"
                tags = list(dict.fromkeys(labels[c] for c in codes))
                row = existing.get(note_id)
                if row is None:
                    row = BookNoteRow(book_id=bid, note=note_id, tags="[]")
                    s.add(row)
                    notes_new += 1
                row.text = " ".join(source.text[start:end].split()) or source.text[start:end]
                row.participant = source.participant[:200]
                row.source = transcript.id
                row.theme = theme_of[codes[0]] if codes else None
                row.pinned = True
                row.tags = json.dumps(list(dict.fromkeys([*json.loads(row.tags), *tags])))
                notes += 1
        refresh_themes(s, bid, set(theme_of.values()))
        people = {
            r.participant: r
            for r in s.scalars(select(BookPersonRow).where(BookPersonRow.book_id == bid))
        }
        for person, attrs in qdpx.attributes.items():
            if not person or len(person) > 200:
                raise ThemeBookError(f"case name {person[:40]!r} needs 1 to 200 characters")
            person_row = people.get(person)
            if person_row is None:
                person_row = BookPersonRow(book_id=bid, participant=person, attributes="{}")
                s.add(person_row)
            merged_attrs = {**json.loads(person_row.attributes), **attrs}
            person_row.attributes = json.dumps(merged_attrs, sort_keys=True)
    return QdpxImport(
        book=book.name,
        transcripts=len(saved),
        transcripts_new=sum(x.created for x in saved),
        themes=len(set(theme_of.values())),
        themes_new=themes_new,
        notes=notes,
        notes_new=notes_new,
        participants_with_attributes=len(qdpx.attributes),
        skipped_sources=qdpx.skipped_sources,
    )
