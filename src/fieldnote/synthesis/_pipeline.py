"""notes → vectors → clusters → themes: the synthesis pipeline, stage by stage.

Each stage is swappable by name (``EMBEDDERS``, ``CLUSTERERS``); representation and
ranking are fixed here because they are what a researcher reads. ``prior`` (themes of
an earlier run) makes the run keep theme ids and names that still fit (see
``_stable``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._cluster import ClusterOptions, centroids_of, make_clusterer
from fieldnote.synthesis._corrections import apply_pins
from fieldnote.synthesis._embed import Embedder, EmbedderOptions, make_embedder
from fieldnote.synthesis._intensity import felt as felt_intensity
from fieldnote.synthesis._keyphrases import LABEL_FILLER, scored_keyphrases
from fieldnote.synthesis._kinds import note_kind, theme_kind
from fieldnote.synthesis._labels import theme_label
from fieldnote.synthesis._model import Assignment, Synthesis, Theme, ThemeModel
from fieldnote.synthesis._notes import Note
from fieldnote.synthesis._quotes import pick_quotes, who
from fieldnote.synthesis._sentiment import opinion_words, sentiments
from fieldnote.synthesis._stable import PriorTheme, match_prior
from fieldnote.synthesis._stopwords import stop_words

__all__ = ["STAGES", "SynthesisOptions", "synthesize", "themes_from_vectors"]

STAGES = ("embedding", "clustering", "keyphrases", "sentiment", "themes")


@dataclass(frozen=True, slots=True)
class SynthesisOptions:
    embedder: str = "tfidf"
    model: Path | None = None
    clusterer: str = "auto"
    """A name in ``CLUSTERERS``, or ``auto``: the one the embedder suits (k-means on
    TF-IDF/LSA, UMAP then k-means on dense sentence embeddings)."""
    cluster: ClusterOptions = field(default_factory=ClusterOptions)
    quotes: int = 3
    seed: int = 0
    threads: int = 1
    """BLAS/OpenMP threads. One by default: on a shared or busy machine, spinning
    OpenMP workers made k-means 10-60x slower than a single thread (measured here)."""


def synthesize(
    notes: Sequence[Note],
    options: SynthesisOptions | None = None,
    *,
    prior: Sequence[PriorTheme] = (),
    pins: Mapping[str, str | None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Synthesis:
    """Themes from notes; the same notes and options always give the same themes.

    ``prior`` keeps theme ids and names of an earlier run; ``pins`` (note id → theme id)
    are a researcher's placements, which always win.
    """
    # Load scikit-learn's compiled modules (and with them the OpenMP runtime) *before*
    # limiting threads: threadpoolctl only limits libraries already loaded, and these
    # are imported lazily. Imported inside the limit, k-means ran OpenMP-threaded with
    # spin-waiting workers: 3-4x the CPU time of one thread at 100,000 notes, and far
    # more wall time on a busy machine (measured; docs/performance.md).
    import sklearn.cluster
    import sklearn.decomposition
    import sklearn.metrics  # noqa: F401
    from threadpoolctl import threadpool_limits

    opts = options or SynthesisOptions()
    with threadpool_limits(limits=opts.threads):
        return _synthesize(notes, opts, prior, pins, progress)


def _synthesize(
    notes: Sequence[Note],
    opts: SynthesisOptions,
    prior: Sequence[PriorTheme],
    pins: Mapping[str, str | None] | None,
    progress: Callable[[str], None] | None,
) -> Synthesis:
    step = progress or (lambda _stage: None)
    embedder = make_embedder(opts.embedder, EmbedderOptions(model=opts.model, seed=opts.seed))
    texts = [n.context for n in notes]
    vectors = embedder.fit_transform(texts) if notes else np.zeros((0, 2), dtype=np.float32)
    step("embedding")
    return themes_from_vectors(
        notes, vectors, embedder, opts, prior=prior, pins=pins, progress=step
    )


def themes_from_vectors(
    notes: Sequence[Note],
    vectors: NDArray[np.float32],
    embedder: Embedder,
    options: SynthesisOptions | None = None,
    *,
    prior: Sequence[PriorTheme] = (),
    pins: Mapping[str, str | None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Synthesis:
    """Clustering, representation and ranking of notes already embedded by ``embedder``.

    Separate from ``synthesize`` so that two pipelines can be compared on the very same
    vectors, and so that a caller holding embeddings need not compute them again.
    """
    opts = options or SynthesisOptions()
    step = progress or (lambda _stage: None)
    warnings: list[str] = []
    if len(notes) < 30:
        warnings.append(f"only {len(notes)} notes: themes from so few are tentative")
    clusterer = embedder.clusterer if opts.clusterer == "auto" else opts.clusterer
    clustering = make_clusterer(clusterer, opts.cluster).fit(vectors)
    step("clustering")
    found, named = match_prior(
        prior, clustering.centroids, clustering.labels, notes, embedder, vectors
    )
    labels, ids = apply_pins(clustering.labels, found, notes, pins or {})
    k = len(ids)
    # A cluster matched to an earlier theme keeps its name only when close enough
    # (``match_prior``); a theme that exists only through pins keeps its stored name.
    named_of = dict(zip(found, named, strict=True))
    kept_name = {p.id: p.label for p in prior if p.id not in named_of}
    kept_name |= {t: n for t, n in named_of.items() if n}
    centroids = centroids_of(vectors, labels, k)
    cutoff_of = dict(zip(found, clustering.cutoffs.tolist(), strict=True))
    cutoffs = np.array(
        [cutoff_of.get(t, opts.cluster.outlier_floor) for t in ids], dtype=np.float32
    )
    phrases = scored_keyphrases([n.text for n in notes], labels, k)
    step("keyphrases")
    compound = sentiments([n.text for n in notes])
    kinds = [note_kind(n.text, float(c)) for n, c in zip(notes, compound.tolist(), strict=True)]
    # How strongly a note was felt: |VADER compound| or a severity floor (``_intensity``).
    felt = felt_intensity([n.text for n in notes], compound, kinds)
    step("sentiment")
    sims = (
        np.einsum("ij,ij->i", vectors, centroids[np.maximum(labels, 0)])
        if k
        else np.zeros(len(notes), dtype=np.float32)
    )
    everyone = {who(n) for n in notes}
    opinions = opinion_words() | LABEL_FILLER
    stop = frozenset(stop_words())
    themes: list[Theme] = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        people = {who(notes[i]) for i in members.tolist()}
        intensity = float(np.mean(felt[members]))
        themes.append(
            Theme(
                id=ids[c],
                label=kept_name.get(ids[c])
                or theme_label(
                    phrases[c],
                    [notes[i].text for i in members.tolist()],
                    [who(notes[i]) for i in members.tolist()],
                    stop,
                    opinions,
                ),
                keyphrases=[p.phrase for p in phrases[c]],
                size=int(members.size),
                participants=len(people),
                share=round(len(people) / max(len(everyone), 1), 4),
                sentiment=round(float(np.mean(compound[members])), 4),
                intensity=round(intensity, 4),
                kind=theme_kind(kinds[i] for i in members.tolist()),
                quotes=pick_quotes(
                    members[np.lexsort((members, -sims[members]))].tolist(), notes, opts.quotes
                ),
                score=round(len(people) * intensity, 4),
            )
        )
    order = sorted(
        range(k), key=lambda c: (-themes[c].score, -themes[c].participants, themes[c].id)
    )
    step("themes")
    theme_of = [ids[c] if c >= 0 else None for c in labels.tolist()]
    return Synthesis(
        themes=[themes[c] for c in order],
        assignments=[Assignment(n.id, t) for n, t in zip(notes, theme_of, strict=True)],
        notes=list(notes),
        model=ThemeModel(embedder, list(ids), centroids, cutoffs),
        embedder=embedder.name,
        clusterer=clusterer,
        warnings=warnings,
    )
