"""Clustering: picks k itself, leaves far-away points out, deterministic, centroids right."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from fieldnote.synthesis import CLUSTERERS, ClusterOptions, EmbedderUnavailable
from fieldnote.synthesis._cluster import KMeansSilhouette, finish


def _blobs(seed: int, k: int = 5, per: int = 40, dims: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dims))
    x = np.vstack([c + 0.15 * rng.normal(size=(per, dims)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), np.repeat(np.arange(k), per)


def test_kmeans_silhouette_finds_planted_k_and_is_deterministic() -> None:
    x, truth = _blobs(1)
    clusterer = CLUSTERERS["kmeans-silhouette"](ClusterOptions())
    a = clusterer.fit(x)
    b = clusterer.fit(x)
    assert a.centroids.shape[0] == 5
    assert adjusted_rand_score(truth, a.labels) > 0.95
    assert np.array_equal(a.labels, b.labels)


def test_far_points_are_outliers_not_forced_into_a_theme() -> None:
    x, _ = _blobs(2)
    rng = np.random.default_rng(3)
    strays = rng.normal(size=(4, x.shape[1])).astype(np.float32)
    strays /= np.linalg.norm(strays, axis=1, keepdims=True)
    result = CLUSTERERS["kmeans-silhouette"](ClusterOptions()).fit(np.vstack([x, strays]))
    assert (result.labels[-4:] == -1).all()
    assert (result.labels[:-4] >= 0).mean() > 0.9


def test_hdbscan_alternative_runs_on_the_same_protocol() -> None:
    x, truth = _blobs(4)
    result = CLUSTERERS["hdbscan"](ClusterOptions()).fit(x)
    covered = result.labels >= 0
    assert adjusted_rand_score(truth[covered], result.labels[covered]) > 0.9


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-1, 3), min_size=1, max_size=30), st.integers(0, 1000))
def test_finish_centroids_are_normalised_member_means(raw: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(raw), 4)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    result = finish(
        x, np.array(raw, dtype=np.int64), ClusterOptions(min_size=1, outlier_floor=-2.0)
    )
    for c in range(result.centroids.shape[0]):
        members = x[result.labels == c]
        mean = members.sum(axis=0)
        mean /= np.linalg.norm(mean) or 1.0
        assert np.allclose(result.centroids[c], mean, atol=1e-5)
    sizes = [int((result.labels == c).sum()) for c in range(result.centroids.shape[0])]
    assert sizes == sorted(sizes, reverse=True)


def test_umap_kmeans_finds_topics_in_dense_embeddings_and_assigns_in_the_original_space() -> None:
    pytest.importorskip("umap")
    x, truth = _blobs(5, k=6, per=50, dims=64)
    clusterer = CLUSTERERS["umap-kmeans"](ClusterOptions())
    a = clusterer.fit(x)
    assert a.centroids.shape == (6, 64)  # centroids in the embedding space, not UMAP's
    assert adjusted_rand_score(truth, a.labels) > 0.95
    assert np.array_equal(a.labels, clusterer.fit(x).labels)


def test_parsimony_takes_the_fewest_themes_within_tolerance_of_the_best() -> None:
    x, _ = _blobs(6, k=5, per=40)

    class Lenient(KMeansSilhouette):
        tolerance = 2.0  # every silhouette is within 2 of the best: the fewest themes win

    assert KMeansSilhouette(ClusterOptions()).choose_k(x) == 5
    lenient = Lenient(ClusterOptions())
    assert lenient.choose_k(x) == lenient.candidates(x.shape[0])[0]


def test_umap_kmeans_without_umap_learn_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "umap", None)  # as if not installed
    x, _ = _blobs(7, k=3, per=40, dims=16)
    with pytest.raises(EmbedderUnavailable, match=r"pip install 'fieldnote\[embeddings\]'"):
        CLUSTERERS["umap-kmeans"](ClusterOptions()).fit(x)
