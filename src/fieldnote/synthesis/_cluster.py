"""Clustering that chooses the number of themes itself and leaves outliers unassigned.

Default (``kmeans-silhouette``): k-means on the unit vectors for a geometric ladder of
candidate k, keeping the k with the best cosine silhouette measured on a fixed sample
(so the choice costs the same at 1,000 or 100,000 notes). The winner is refit on all
notes. Then a note whose cosine similarity to its centroid falls below both an
absolute floor and its theme's own lower tail is an outlier, and so is every member of
a theme smaller than ``min_size``: a forced assignment would put unrelated quotes
under a label. Everything is seeded, so the same vectors give the same labels.

``umap-kmeans`` is the default for dense sentence embeddings (see ``UmapKMeans``);
``hdbscan`` (scikit-learn's HDBSCAN) is available as an alternative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._embed import EmbedderUnavailable
from fieldnote.synthesis._registry import pick

__all__ = [
    "CLUSTERERS",
    "ClusterOptions",
    "Clusterer",
    "Clustering",
    "ClusteringUnavailable",
    "centroids_of",
    "make_clusterer",
]

Labels = NDArray[np.int64]
OUTLIER = -1


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    min_size: int = 3
    max_themes: int = 60
    seed: int = 0
    sample_size: int = 4000
    outlier_floor: float = 0.15
    outlier_fence: float = 1.5
    """Tukey's lower fence: below Q1 - fence x IQR of a theme's similarities is an outlier."""


@dataclass(frozen=True, slots=True)
class Clustering:
    """Labels per note (``-1`` = outlier) and one unit centroid per theme."""

    labels: Labels
    centroids: NDArray[np.float32]
    cutoffs: NDArray[np.float32]
    """Per theme, the least cosine similarity a note needs to join it."""


class ClusteringUnavailable(EmbedderUnavailable):
    """An optional clusterer lacks its package; the message says how to install it.

    A kind of ``EmbedderUnavailable`` because its package comes with the same optional
    extra as the dense embedder it serves, and callers report both the same way."""


class Clusterer(Protocol):
    def fit(self, vectors: NDArray[np.float32]) -> Clustering: ...


def centroids_of(vectors: NDArray[np.float32], labels: Labels, k: int) -> NDArray[np.float32]:
    dims = vectors.shape[1]
    sums = np.zeros((k, dims), dtype=np.float64)
    np.add.at(sums, labels[labels >= 0], vectors[labels >= 0])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(sums / norms, dtype=np.float32)


def finish(vectors: NDArray[np.float32], raw: Labels, options: ClusterOptions) -> Clustering:
    """Drop small themes, cut outliers, renumber themes 0..k-1 by size (largest first)."""
    labels = raw.copy()
    k = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    centroids = centroids_of(vectors, labels, k)
    sims = np.einsum("ij,ij->i", vectors, centroids[np.maximum(labels, 0)]) if k else np.zeros(0)
    cutoffs = np.full(k, options.outlier_floor, dtype=np.float32)
    for c in range(k):
        members = sims[labels == c]
        if members.size >= 4:
            q1, q3 = np.quantile(members, [0.25, 0.75])
            fence = float(q1 - options.outlier_fence * (q3 - q1))
            cutoffs[c] = max(options.outlier_floor, fence)
    if k:
        labels[(labels >= 0) & (sims < cutoffs[np.maximum(labels, 0)])] = OUTLIER
    sizes = np.bincount(labels[labels >= 0], minlength=k)
    keep = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] >= options.min_size]
    remap = np.full(k + 1, OUTLIER, dtype=np.int64)
    for new, old in enumerate(keep):
        remap[old] = new
    labels = remap[labels] if k else labels
    return Clustering(
        labels=labels,
        centroids=centroids_of(vectors, labels, len(keep)),
        cutoffs=cutoffs[keep] if keep else np.zeros(0, dtype=np.float32),
    )


class KMeansSilhouette:
    """k-means over a ladder of k, chosen by cosine silhouette on a seeded sample."""

    def __init__(self, options: ClusterOptions) -> None:
        self.options = options

    def candidates(self, n: int) -> list[int]:
        high = min(self.options.max_themes, max(2, n // max(self.options.min_size, 2)))
        high = min(high, max(4, int(2 * np.sqrt(n))))
        # Below sqrt(n)/4 themes, silhouette on dense sentence embeddings tends to peak
        # at a degenerate two-way split (measured on SemEval laptops, all-MiniLM-L6-v2).
        low = max(2, min(high, round(np.sqrt(n) / 4)))
        if high <= low:
            return [low]
        return sorted({round(float(k)) for k in np.geomspace(low, high, 14)})

    metric = "cosine"
    tolerance = 0.0
    """Take the fewest themes whose silhouette is within this of the best (parsimony)."""

    def choose_k(self, vectors: NDArray[np.float32]) -> int:
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        rng = np.random.default_rng(self.options.seed)
        n = vectors.shape[0]
        sample = vectors
        if n > self.options.sample_size:
            sample = vectors[np.sort(rng.choice(n, self.options.sample_size, replace=False))]
        scores: dict[int, float] = {}
        for k in self.candidates(sample.shape[0]):
            if k >= sample.shape[0]:
                break
            labels = KMeans(k, n_init=3, random_state=self.options.seed).fit_predict(sample)
            if len(set(labels.tolist())) < 2:
                continue
            scores[k] = float(silhouette_score(sample, labels, metric=self.metric))
        if not scores:
            return 2
        best = max(scores.values())
        return min(k for k, s in scores.items() if s >= best - self.tolerance)

    def fit(self, vectors: NDArray[np.float32]) -> Clustering:
        from sklearn.cluster import KMeans, MiniBatchKMeans

        n = vectors.shape[0]
        if n < max(2 * self.options.min_size, 4):
            return finish(vectors, np.full(n, OUTLIER, dtype=np.int64), self.options)
        k = self.choose_k(vectors)
        model: KMeans | MiniBatchKMeans
        if n <= 20_000:
            model = KMeans(k, n_init=3, random_state=self.options.seed)
        else:
            model = MiniBatchKMeans(k, n_init=3, batch_size=4096, random_state=self.options.seed)
        raw = np.asarray(model.fit_predict(vectors), dtype=np.int64)
        return finish(vectors, raw, self.options)


class UmapKMeans(KMeansSilhouette):
    """Dense sentence embeddings: UMAP to 5 dimensions first, then the k-means ladder.

    In 384 dimensions, k-means on all-MiniLM-L6-v2 vectors lost to BERTopic on two of
    three labelled sets. UMAP (cosine, 15 neighbours, ``min_dist=0``: BERTopic's
    settings) pulls each neighbourhood together, so k-means finds the topics; the
    silhouette (Euclidean, in the reduced space) is flat across a wide range of k there,
    so the fewest themes within ``tolerance`` of the best silhouette are taken. The
    tolerance (0.02) was chosen on semeval-categories alone (docs/quality.md). Centroids,
    outliers and later assignment stay in the original space, so ``ThemeModel.assign``
    needs no UMAP. Needs ``umap-learn`` (the ``embeddings`` extra).
    """

    metric = "euclidean"
    tolerance = 0.02
    components = 5
    neighbours = 15

    def fit(self, vectors: NDArray[np.float32]) -> Clustering:
        from sklearn.cluster import KMeans

        n = vectors.shape[0]
        if n < 4 * self.neighbours:  # too few notes for a neighbourhood graph
            return super().fit(vectors)
        try:
            from umap import UMAP
        except ImportError as exc:
            raise ClusteringUnavailable(
                "the umap-kmeans clusterer needs umap-learn: pip install 'fieldnote[embeddings]'"
            ) from exc
        reducer = UMAP(
            n_neighbors=self.neighbours,
            n_components=self.components,
            min_dist=0.0,
            metric="cosine",
            random_state=self.options.seed,
            n_jobs=1,  # seeded UMAP is single-threaded anyway; saying so silences a warning
        )
        reduced = np.asarray(reducer.fit_transform(vectors), dtype=np.float32)
        k = self.choose_k(reduced)
        raw = KMeans(k, n_init=3, random_state=self.options.seed).fit_predict(reduced)
        return finish(vectors, np.asarray(raw, dtype=np.int64), self.options)


class Hdbscan:
    """scikit-learn's HDBSCAN: density clusters, noise points are outliers."""

    def __init__(self, options: ClusterOptions) -> None:
        self.options = options

    def fit(self, vectors: NDArray[np.float32]) -> Clustering:
        from sklearn.cluster import HDBSCAN

        n = vectors.shape[0]
        if n < max(2 * self.options.min_size, 4):
            return finish(vectors, np.full(n, OUTLIER, dtype=np.int64), self.options)
        size = max(self.options.min_size, n // 200)
        raw = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(vectors)
        return finish(vectors, np.asarray(raw, dtype=np.int64), self.options)


CLUSTERERS: dict[str, Callable[[ClusterOptions], Clusterer]] = {
    "kmeans-silhouette": KMeansSilhouette,
    "umap-kmeans": UmapKMeans,
    "hdbscan": Hdbscan,
}


def make_clusterer(name: str, options: ClusterOptions | None = None) -> Clusterer:
    return pick(CLUSTERERS, name, "clusterer")(options or ClusterOptions())
