"""End to end on a planted corpus: themes found, quotes from distinct people, ranked, stable."""

from __future__ import annotations

from collections import Counter

from fieldnote.synthesis import Note, SynthesisOptions, synthesize
from tests.synthesis._corpus import THEMES, planted


def test_planted_themes_come_out_with_quotes_people_and_ranking() -> None:
    notes, truth = planted()
    result = synthesize(notes)
    theme_of = {a.note_id: a.theme for a in result.assignments}
    assert len(result.assignments) == len(notes)
    # every theme is nearly pure: it does not mix planted themes
    majority: set[str] = set()
    for theme in result.themes:
        members = Counter(truth[a.note_id] for a in result.assignments if a.theme == theme.id)
        top, count = members.most_common(1)[0]
        assert count / theme.size >= 0.8, (theme.label, members)
        majority.add(top)
        people = [q.participant for q in theme.quotes]
        assert len(people) == len(set(people))
        assert 0 < theme.share <= 1
        assert abs(theme.score - theme.participants * theme.intensity) < 0.01
    assert majority == set(THEMES)
    assert all(theme_of[f"noise-{i}"] is None for i in range(3))
    scores = [t.score for t in result.themes]
    assert scores == sorted(scores, reverse=True)
    kinds = {
        truth[next(a.note_id for a in result.assignments if a.theme == t.id)]: t.kind
        for t in result.themes
    }
    assert kinds.get("export") == "workaround"
    assert kinds.get("pricing") == "question"


def test_same_input_same_themes() -> None:
    notes, _ = planted()
    a = synthesize(notes).to_dict()
    b = synthesize(list(notes)).to_dict()
    assert a == b


def test_incremental_assignment_uses_existing_themes() -> None:
    notes, _ = planted()
    result = synthesize(notes)
    theme_of = {a.note_id: a.theme for a in result.assignments}
    known = next(n for n in notes if n.id.startswith("export") and theme_of[n.id] is not None)
    new = [
        Note("n1", known.text, "iv-new", "p-new"),
        Note("n2", "the weather was lovely in the park", "iv-new", "p-new"),
    ]
    assigned = result.model.assign(new)
    assert assigned[0].theme == theme_of[known.id]
    assert assigned[1].theme is None


def test_auto_clusterer_is_the_one_the_embedder_names() -> None:
    notes, _ = planted()
    assert synthesize(notes).clusterer == "kmeans-silhouette"  # TF-IDF/LSA: k-means ladder
    chosen = synthesize(notes, SynthesisOptions(clusterer="hdbscan"))
    assert chosen.clusterer == "hdbscan"
