"""A researcher's corrections win over the clustering.

A *pin* is a note a person placed by hand (moved it, merged its theme into another,
split it off): ``note id → theme id`` (or None: "not in any theme"). On every run the
pinned notes keep their theme, and a new cluster whose pinned notes mostly (at least
half of the cluster) point to one theme becomes that theme, so a merge keeps holding
the notes it gathered, and new notes similar to them follow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._notes import Note

__all__ = ["apply_pins"]


def apply_pins(
    labels: NDArray[np.int64],
    ids: Sequence[str],
    notes: Sequence[Note],
    pins: Mapping[str, str | None],
) -> tuple[NDArray[np.int64], list[str]]:
    """Final per-note theme index (``-1`` none) and the theme id of each index."""
    theme_of: list[str | None] = [ids[c] if c >= 0 else None for c in labels.tolist()]
    for c, cluster_id in enumerate(ids):
        members = np.flatnonzero(labels == c).tolist()
        votes = Counter(pins[notes[i].id] for i in members if pins.get(notes[i].id) is not None)
        if votes:
            target, count = max(votes.items(), key=lambda kv: (kv[1], kv[0] or ""))
            if target is not None and target != cluster_id and 2 * count >= len(members):
                for i in members:
                    theme_of[i] = target
    for i, note in enumerate(notes):
        if note.id in pins:
            theme_of[i] = pins[note.id]
    final_ids = [t for t in dict.fromkeys(ids) if t in set(theme_of)]
    final_ids += sorted({t for t in theme_of if t is not None} - set(final_ids))
    index = {t: n for n, t in enumerate(final_ids)}
    final = np.array([index[t] if t is not None else -1 for t in theme_of], dtype=np.int64)
    return final, final_ids
