"""Themes: fieldnote against BERTopic and k-means with the true k, same run, same data.

Quality (``--quality``): on each labelled dataset (``bench/_themes_data.py``) NMI and
adjusted Rand index of the themes against the human categories, plus coverage (share
of notes given a theme). Outliers count as one group of their own in NMI/ARI (a method
is not rewarded for leaving hard notes out); the same figures on covered notes only are
printed beside. Methods:

* ``fieldnote-tfidf``: the default pipeline, choosing the number of themes itself;
* ``fieldnote-st``: the same on all-MiniLM-L6-v2 embeddings (``--clusterer auto``
  picks ``umap-kmeans`` for them);
* ``kmeans-true-k``: k-means on TF-IDF given the true number of categories;
* ``bertopic``: BERTopic 0.17 defaults on the same MiniLM embeddings (UMAP seeded
  with random_state=0 so runs repeat; otherwise its defaults).

Speed (``--speed``): ``--notes`` synthetic notes (default 100,000) to themes with the
default embedder in a child process (wall time and peak RSS); on ``--peer-notes``
(default 10,000) the same TF-IDF/LSA vectors through fieldnote's clustering +
representation and through BERTopic's (UMAP + HDBSCAN + c-TF-IDF), after a numba
warm-up; and incremental assignment of one new interview (100 notes) to the themes.

Usage: ``python -m bench themes [--quality] [--speed] [--notes N] [--peer-notes N]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any, cast

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from threadpoolctl import threadpool_limits

from bench._themes_data import DATASETS, load, synthetic_notes
from fieldnote.synthesis import (
    EmbedderOptions,
    Note,
    SourceText,
    SynthesisOptions,
    make_embedder,
    notes_from_texts,
    synthesize,
    themes_from_vectors,
)


def _notes(texts: list[str], participants: list[str]) -> list[Note]:
    items = [
        SourceText(str(i), t, p) for i, (t, p) in enumerate(zip(texts, participants, strict=True))
    ]
    return [Note(s.id, s.text, s.id, s.participant) for s in items]


def _scores(truth: list[str], found: list[int]) -> dict[str, float]:
    f = np.asarray(found)
    covered = f >= 0
    t = np.asarray(truth)
    return {
        "nmi": round(float(normalized_mutual_info_score(t, f)), 4),
        "ari": round(float(adjusted_rand_score(t, f)), 4),
        "coverage": round(float(covered.mean()), 4),
        "themes": len(set(f[covered].tolist())),
        "nmi_covered": round(float(normalized_mutual_info_score(t[covered], f[covered])), 4)
        if covered.any()
        else 0.0,
        "ari_covered": round(float(adjusted_rand_score(t[covered], f[covered])), 4)
        if covered.any()
        else 0.0,
    }


def _labels_of(assignments: list[Any]) -> list[int]:
    ids = sorted({a.theme for a in assignments if a.theme is not None})
    index = {t: i for i, t in enumerate(ids)}
    return [index[a.theme] if a.theme is not None else -1 for a in assignments]


def _bertopic(texts: list[str], vectors: np.ndarray, st_model: Any) -> list[int]:
    from bertopic import BERTopic
    from umap import UMAP

    umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=0)
    model = BERTopic(embedding_model=st_model, umap_model=umap)
    topics, _ = model.fit_transform(texts, vectors)
    return [int(t) for t in topics]


def quality() -> dict[str, Any]:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    st = make_embedder("sentence-transformers", EmbedderOptions())
    results: dict[str, Any] = {}
    for name in DATASETS:
        data = load(name)
        k = len(set(data.labels))
        print(f"\n{name}: {len(data.texts)} sentences, {k} human categories", flush=True)
        notes = _notes(data.texts, data.participants)
        row: dict[str, Any] = {"n": len(data.texts), "true_k": k}
        with threadpool_limits(1):
            syn = synthesize(notes)
            row["fieldnote-tfidf"] = _scores(data.labels, _labels_of(syn.assignments))
            st_vectors = st.transform(data.texts)
            syn_st = themes_from_vectors(notes, st_vectors, st)
            row["fieldnote-st"] = _scores(data.labels, _labels_of(syn_st.assignments))
            x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(data.texts)
            km = KMeans(k, n_init=10, random_state=0).fit_predict(x)
            row["kmeans-true-k"] = _scores(data.labels, km.tolist())
        row["bertopic"] = _scores(
            data.labels, _bertopic(data.texts, st_vectors, cast(Any, st)._model)
        )
        for method in ("fieldnote-tfidf", "fieldnote-st", "kmeans-true-k", "bertopic"):
            s = row[method]
            print(
                f"  {method:16s} NMI {s['nmi']:.3f}  ARI {s['ari']:.3f}  coverage {s['coverage']:.0%}"
                f"  themes {s['themes']:3d}  (covered only: NMI {s['nmi_covered']:.3f} ARI {s['ari_covered']:.3f})",
                flush=True,
            )
        row["floor_default_vs_kmeans"] = (
            row["fieldnote-tfidf"]["nmi"] >= row["kmeans-true-k"]["nmi"]
            and row["fieldnote-tfidf"]["ari"] >= row["kmeans-true-k"]["ari"]
        )
        row["floor_st_vs_bertopic"] = (
            row["fieldnote-st"]["nmi"] >= row["bertopic"]["nmi"]
            and row["fieldnote-st"]["ari"] >= row["bertopic"]["ari"]
        )
        print(
            f"  floors: default >= k-means(true k): {row['floor_default_vs_kmeans']}; "
            f"st >= BERTopic: {row['floor_st_vs_bertopic']}"
        )
        print("  top themes (fieldnote-tfidf):")
        for t in syn.themes[:5]:
            print(f"    {t.label!r:40s} {t.keyphrases[:5]}  n={t.size} kind={t.kind}")
        results[name] = row
    return results


def _child(n: int) -> None:
    """Runs in a fresh process so peak RSS is this work's alone."""
    texts, people = synthetic_notes(n)
    notes = notes_from_texts(
        SourceText(str(i), t, p) for i, (t, p) in enumerate(zip(texts, people, strict=True))
    )
    started, cpu = time.perf_counter(), time.process_time()
    syn = synthesize(notes, SynthesisOptions())
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    new_texts, _ = synthetic_notes(100, seed=99)
    new = [Note(f"new{i}", t, "new-interview", "p-new") for i, t in enumerate(new_texts)]
    t0 = time.perf_counter()
    assigned = syn.model.assign(new)
    incremental = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024**2
    print(
        json.dumps(
            {
                "notes": len(notes),
                "seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "cpu_seconds_process": round(usage.ru_utime + usage.ru_stime, 2),
                "peak_gib": round(peak, 3),
                "themes": len(syn.themes),
                "coverage": round(syn.coverage, 4),
                "incremental_100_notes_s": round(incremental, 4),
                "incremental_assigned": sum(a.theme is not None for a in assigned),
            }
        )
    )


def _peer_speed(n: int) -> dict[str, Any]:
    texts, people = synthetic_notes(n, seed=1)
    notes = _notes(texts, people)
    with threadpool_limits(1):
        embedder = make_embedder("tfidf")
        vectors = embedder.fit_transform(texts)
        t0, c0 = time.perf_counter(), time.process_time()
        syn = themes_from_vectors(notes, vectors, embedder)
        ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    from bertopic import BERTopic
    from sklearn.feature_extraction.text import CountVectorizer  # noqa: F401  (BERTopic's default)

    _bertopic(texts[:500], vectors[:500], None)  # numba JIT warm-up, not timed
    t0, c0 = time.perf_counter(), time.process_time()
    topics = _bertopic(texts, vectors, None)
    theirs, theirs_cpu = time.perf_counter() - t0, time.process_time() - c0
    del BERTopic
    return {
        "notes": n,
        "fieldnote_s": round(ours, 2),
        "bertopic_s": round(theirs, 2),
        "speedup": round(theirs / ours, 2),
        "fieldnote_cpu_s": round(ours_cpu, 2),
        "bertopic_cpu_s": round(theirs_cpu, 2),
        "speedup_cpu": round(theirs_cpu / ours_cpu, 2),
        "fieldnote_themes": len(syn.themes),
        "bertopic_topics": len(set(topics) - {-1}),
    }


def speed(n: int, peer_n: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.themes_bench", "--child", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    big = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"\n{big['notes']:,} notes to themes (tfidf): {big['seconds']} s, peak RSS {big['peak_gib']} GiB, "
        f"{big['themes']} themes, coverage {big['coverage']:.0%}  (floors: < 60 s, < 4 GiB)\n"
        f"  synthesis CPU time: {big['cpu_seconds']} s (wall above is inflated by other load)\n"
        f"  process CPU time (incl. data generation, imports): {big['cpu_seconds_process']} s"
    )
    print(
        f"incremental: one interview (100 notes) assigned in {big['incremental_100_notes_s']} s (floor < 1 s)"
    )
    peer = _peer_speed(peer_n)
    print(
        f"same vectors, {peer['notes']:,} notes: fieldnote clustering+representation {peer['fieldnote_s']} s, "
        f"BERTopic {peer['bertopic_s']} s -> {peer['speedup']}x (floor >= 3x); CPU time "
        f"{peer['fieldnote_cpu_s']} s vs {peer['bertopic_cpu_s']} s -> {peer['speedup_cpu']}x"
    )
    return {"scale": big, "vs_bertopic": peer}


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench themes")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--peer-notes", type=int, default=10_000)
    args = parser.parse_args(argv)
    both = not (args.quality or args.speed)
    result: dict[str, Any] = {}
    if args.quality or both:
        result["quality"] = quality()
    if args.speed or both:
        result["speed"] = speed(args.notes, args.peer_notes)
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(int(sys.argv[2]))
    else:
        main(sys.argv[1:])
