"""Keep theme identities across runs.

Users of AI tagging tools complain that labels drift between runs on similar data. A
re-run therefore matches each new cluster to a theme of the earlier run, one to one
(Hungarian assignment), by the mean of two similarities: cosine between centroids
(the earlier theme's centroid recomputed in *this* run's vector space from its member
notes) and Jaccard overlap of member note ids (cosine alone when none of the earlier
members is in this run). A matched cluster keeps the earlier id;
it keeps the earlier name too when the match is close (the data did not truly move)
or when a researcher set the name by hand. Unmatched clusters get fresh ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._embed import Embedder
from fieldnote.synthesis._notes import Note

__all__ = ["KEEP_NAME", "MATCH", "PriorTheme", "match_prior"]

MATCH = 0.5
"""Least similarity for a new cluster to inherit an earlier theme's id."""
KEEP_NAME = 0.75
"""Least similarity for it to keep the earlier (machine-made) name as well."""


@dataclass(frozen=True, slots=True)
class PriorTheme:
    """A theme of an earlier run: id, name, whether a person named it, member notes."""

    id: str
    label: str
    members: Mapping[str, str]
    """note id → note text (text lets a note that is gone still place the centroid)."""
    renamed: bool = False


def _next_id(taken: set[str]) -> str:
    n = 1
    while f"t{n}" in taken:
        n += 1
    taken.add(f"t{n}")
    return f"t{n}"


def _similarity(
    prior: Sequence[PriorTheme],
    centroids: NDArray[np.float32],
    labels: NDArray[np.int64],
    notes: Sequence[Note],
    embedder: Embedder,
    vectors: NDArray[np.float32],
) -> NDArray[np.float64]:
    index = {n.id: i for i, n in enumerate(notes)}
    k = centroids.shape[0]
    members_now = [{notes[i].id for i in np.flatnonzero(labels == c).tolist()} for c in range(k)]
    sim = np.zeros((k, len(prior)))
    for j, p in enumerate(prior):
        if not p.members:
            continue
        present = [index[m] for m in p.members if m in index]
        gone = [t for m, t in p.members.items() if m not in index]
        parts = [vectors[present]] if present else []
        if gone:
            parts.append(embedder.transform(gone))
        centroid = np.concatenate(parts).mean(axis=0)
        norm = float(np.linalg.norm(centroid)) or 1.0
        cosine = centroids @ (centroid / norm)
        ids = set(p.members)
        for c in range(k):
            jac = len(ids & members_now[c]) / max(len(ids | members_now[c]), 1)
            # with member notes present, membership must agree too: the mean; with
            # none present (all new data) only the centroid can say it
            sim[c, j] = (float(cosine[c]) + jac) / 2 if present else float(cosine[c])
    return sim


def match_prior(
    prior: Sequence[PriorTheme],
    centroids: NDArray[np.float32],
    labels: NDArray[np.int64],
    notes: Sequence[Note],
    embedder: Embedder,
    vectors: NDArray[np.float32],
) -> tuple[list[str], list[str | None]]:
    """Per new cluster: its theme id and a kept name (None = name it afresh)."""
    from scipy.optimize import linear_sum_assignment

    k = centroids.shape[0]
    ids: list[str | None] = [None] * k
    names: list[str | None] = [None] * k
    taken = {p.id for p in prior}
    if prior and k:
        sim = _similarity(prior, centroids, labels, notes, embedder, vectors)
        rows, cols = linear_sum_assignment(-sim)
        for c, j in zip(rows.tolist(), cols.tolist(), strict=True):
            if sim[c, j] < MATCH:
                continue
            ids[c] = prior[j].id
            if prior[j].renamed or sim[c, j] >= KEEP_NAME:
                names[c] = prior[j].label
    final = [i if i is not None else _next_id(taken) for i in ids]
    return final, names
