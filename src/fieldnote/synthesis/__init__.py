"""Synthesis: from transcripts and open-ended answers to themes a researcher can trust.

Stages (each swappable by name): notes (``_notes``), embedding (``EMBEDDERS``),
clustering that picks the number of themes itself and leaves outliers out
(``CLUSTERERS``), representation (c-TF-IDF keyphrases picked by MMR, a label that is a
phrase people said, quotes from distinct people without near-duplicates, VADER
sentiment and intensity, rule-based kind) and ranking by participants x
intensity. ``ThemeModel.assign`` places new notes into existing themes without a
recompute; ``PriorTheme`` keeps theme ids and names stable across runs.
"""

from fieldnote.synthesis._cluster import CLUSTERERS, Clusterer, Clustering, ClusterOptions
from fieldnote.synthesis._describe import NotesFeeling, describe_notes
from fieldnote.synthesis._embed import (
    EMBEDDERS,
    Embedder,
    EmbedderOptions,
    EmbedderUnavailable,
    make_embedder,
)
from fieldnote.synthesis._export import QDA_NAMESPACE, notes_csv, write_qdpx
from fieldnote.synthesis._keyphrases import ctfidf, keyphrases, label_from
from fieldnote.synthesis._kinds import KIND_RULES, KINDS, note_kind, theme_kind
from fieldnote.synthesis._model import Assignment, Quote, Synthesis, Theme, ThemeModel
from fieldnote.synthesis._notes import (
    Note,
    SourceText,
    Turn,
    notes_from_texts,
    notes_from_turns,
    split_sentences,
)
from fieldnote.synthesis._pipeline import (
    STAGES,
    SynthesisOptions,
    synthesize,
    themes_from_vectors,
)
from fieldnote.synthesis._qdpx_import import (
    QdpxCode,
    QdpxError,
    QdpxProject,
    QdpxSelection,
    QdpxSource,
    read_qdpx,
)
from fieldnote.synthesis._stable import PriorTheme
from fieldnote.synthesis._tabular import TableError, TextColumns, read_texts
from fieldnote.synthesis._transcripts import notes_from_interviews
from fieldnote.synthesis._trend import (
    UNKNOWN,
    ThemeTrend,
    TrendCell,
    TrendInput,
    TrendNote,
    read_people,
    theme_trend,
)

__all__ = [
    "CLUSTERERS",
    "EMBEDDERS",
    "KINDS",
    "KIND_RULES",
    "QDA_NAMESPACE",
    "STAGES",
    "UNKNOWN",
    "Assignment",
    "ClusterOptions",
    "Clusterer",
    "Clustering",
    "Embedder",
    "EmbedderOptions",
    "EmbedderUnavailable",
    "Note",
    "NotesFeeling",
    "PriorTheme",
    "QdpxCode",
    "QdpxError",
    "QdpxProject",
    "QdpxSelection",
    "QdpxSource",
    "Quote",
    "SourceText",
    "Synthesis",
    "SynthesisOptions",
    "TableError",
    "TextColumns",
    "Theme",
    "ThemeModel",
    "ThemeTrend",
    "TrendCell",
    "TrendInput",
    "TrendNote",
    "Turn",
    "ctfidf",
    "describe_notes",
    "keyphrases",
    "label_from",
    "make_embedder",
    "note_kind",
    "notes_csv",
    "notes_from_interviews",
    "notes_from_texts",
    "notes_from_turns",
    "read_people",
    "read_qdpx",
    "read_texts",
    "split_sentences",
    "synthesize",
    "theme_kind",
    "theme_trend",
    "themes_from_vectors",
    "write_qdpx",
]
