"""``fieldnote themes``: real console entry point on CSV/JSONL files, JSON shape, errors."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from tests.conftest import run_cli
from tests.synthesis._corpus import planted


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _err(proc: object) -> str:
    """stderr with Rich's line wrapping undone."""
    return " ".join(str(getattr(proc, "stderr", "")).split())


def _corpus_rows() -> list[dict[str, str]]:
    notes, _ = planted()
    return [{"rid": n.id, "answer": n.text, "who": n.participant or ""} for n in notes]


def test_csv_to_themes_json(home: Path, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "answers.csv", _corpus_rows())
    args = ["themes", str(path), "--text-column", "answer", "--id-column", "rid"]
    proc = run_cli(home, *args, "--participant-column", "who", "--json")
    data = json.loads(proc.stdout)
    assert {a["id"] for a in data["assignments"]} == {r["rid"] for r in _corpus_rows()}
    ids = {t["id"] for t in data["themes"]}
    assert all(a["theme"] in ids or a["theme"] is None for a in data["assignments"])
    assert {a["theme"] for a in data["assignments"] if a["id"].startswith("noise")} == {None}
    first = data["themes"][0]
    assert {
        "id",
        "label",
        "keyphrases",
        "size",
        "participants",
        "sentiment",
        "kind",
        "quotes",
    } <= set(first)
    assert first["quotes"] and first["quotes"][0]["participant"]
    # a re-run with --prior keeps every theme id and name when nothing changed
    prior = tmp_path / "prior.json"
    prior.write_text(proc.stdout)
    again = json.loads(run_cli(home, *args, "--prior", str(prior), "--json").stdout)
    assert {(t["id"], t["label"]) for t in again["themes"]} == {
        (t["id"], t["label"]) for t in data["themes"]
    }


def test_jsonl_and_text_table(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps({"text": r["answer"]}) for r in _corpus_rows()) + "\n")
    out_csv, out_qdpx = tmp_path / "notes.csv", tmp_path / "themes.qdpx"
    proc = run_cli(
        home, "themes", str(path), "--export-csv", str(out_csv), "--export-qdpx", str(out_qdpx)
    )
    assert "themes from" in proc.stdout and "coverage" in proc.stdout
    assert (
        out_csv.read_text().splitlines()[0] == "id,source,participant,start,text,theme,theme_label"
    )
    assert len(out_csv.read_text().splitlines()) == len(_corpus_rows()) + 1
    with zipfile.ZipFile(out_qdpx) as archive:
        assert "project.qde" in archive.namelist()


def test_errors_name_what_where_why(home: Path, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", _corpus_rows())
    missing = run_cli(home, "themes", str(path), "--text-column", "body", check=False)
    assert missing.returncode == 1
    assert "no text column 'body'" in _err(missing) and "answer" in _err(missing)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    proc = run_cli(home, "themes", str(empty), "--json", check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout) == {
        "error": f"{empty}: the file is empty"
    }
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\ncaf\xe9 is closed\n".encode("latin-1"))
    proc = run_cli(home, "themes", str(latin), check=False)
    assert proc.returncode == 1 and "line 2: not UTF-8" in _err(proc)
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"text": "ok"}\n{"text": \n')
    proc = run_cli(home, "themes", str(bad_json), check=False)
    assert "line 2: invalid JSON" in _err(proc)
    proc = run_cli(
        home, "themes", str(path), "--text-column", "answer", "--id-column", "who", check=False
    )
    assert "must be unique" in _err(proc)
    proc = run_cli(home, "themes", str(path), "--embedder", "word2vec", check=False)
    assert "choose one of tfidf, sentence-transformers" in _err(proc)


def test_sentence_transformers_bad_model_path_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", _corpus_rows())
    proc = run_cli(
        home,
        "themes",
        str(path),
        "--text-column",
        "answer",
        "--embedder",
        "sentence-transformers",
        "--model",
        str(tmp_path / "nope"),
        check=False,
    )
    assert proc.returncode == 1 and "does not exist" in _err(proc)
