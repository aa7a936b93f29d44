"""Transcript import: 1,000 transcripts in mixed formats (target < 30 s).

``python -m bench transcripts [--n 1000] [--turns 40]`` writes N transcripts (VTT, SRT,
Otter TXT, ``Name: text``, JSON, DOCX in turn), then measures

- ``fieldnote transcripts import`` as a real CLI process on a fresh home (SQLite), all
  files in one call: the figure the issue's target is about;
- the same import in-process (parse + store), split into parse and store;
- the peer: the underlying readers alone on the same files (webvtt-py for VTT/SRT,
  python-docx for DOCX, ``json.loads``, ``str.splitlines``), i.e. what any importer
  pays before mapping speakers, marking hesitations and storing rows.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import docx
import webvtt

from fieldnote.interviews.transcripts import read_transcripts
from fieldnote.repository import InterviewStore, Projects, Repository

QUESTIONS = [
    "Tell me about the last time you built a report.",
    "What happened next?",
    "What were you trying to do right before that screen?",
    "How did you get around it?",
    "Who else was involved?",
]
ANSWERS = [
    "Um, I was on my phone, trying to connect HubSpot, and it asked for an admin.",
    "I sent a screenshot to my manager, I mean my team lead, and waited.",
    "We mostly use spreadsheets for the weekly numbers, honestly.",
    "It took two days before IT approved it.",
    "I gave up and did it from the laptop the next morning.",
]
FORMATS = ("vtt", "srt", "otter", "text", "json", "docx")


def _clock(t: float, sep: str = ".") -> str:
    h, rem = divmod(t, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}".replace(".", sep)


def _turns(rng: random.Random, n: int) -> list[tuple[str, str, float, float]]:
    t, out = 0.0, []
    who = ("Dana Reyes", f"Participant {rng.randint(1, 999)}")
    for i in range(n):
        speaker = who[i % 2]
        text = rng.choice(QUESTIONS if i % 2 == 0 else ANSWERS)
        start = t + rng.uniform(0.3, 6.0)
        end = start + len(text) / 15
        out.append((speaker, text, start, end))
        t = end
    return out


def write(folder: Path, n: int, turns: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        fmt = FORMATS[i % len(FORMATS)]
        tt = _turns(rng, turns)
        if fmt == "docx":
            path = folder / f"t{i:05d}.docx"
            doc = docx.Document()
            for s, text, start, _ in tt:
                doc.add_paragraph(f"{s}   {int(start // 60)}:{int(start % 60):02d}")
                doc.add_paragraph(text)
            doc.save(str(path))
        else:
            if fmt == "vtt":
                body = "WEBVTT\n\n" + "".join(
                    f"{_clock(a)} --> {_clock(b)}\n{s}: {x}\n\n" for s, x, a, b in tt
                )
            elif fmt == "srt":
                body = "".join(
                    f"{k + 1}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{s}: {x}\n\n"
                    for k, (s, x, a, b) in enumerate(tt)
                )
            elif fmt == "otter":
                body = "".join(
                    f"{s}  {int(a // 60)}:{int(a % 60):02d}\n{x}\n\n" for s, x, a, _ in tt
                )
            elif fmt == "text":
                body = "".join(f"{s}: {x}\n" for s, x, _, _ in tt)
            else:
                body = json.dumps(
                    [{"speaker": s, "text": x, "start": a, "end": b} for s, x, a, b in tt]
                )
            path = folder / f"t{i:05d}.{ {'otter': 'txt', 'text': 'txt'}.get(fmt, fmt) }"
            path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths


def peer(paths: list[Path]) -> None:
    """The readers alone, no speaker mapping, marks or storage."""
    for p in paths:
        data = p.read_bytes()
        if p.suffix in {".vtt", ".srt"}:
            _ = webvtt.from_buffer(io.StringIO(data.decode()), format=p.suffix[1:]).captions
        elif p.suffix == ".docx":
            [para.text for para in docx.Document(io.BytesIO(data)).paragraphs]
        elif p.suffix == ".json":
            json.loads(data)
        else:
            data.decode().splitlines()


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench transcripts")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        paths = write(folder, args.n, args.turns)
        size = sum(p.stat().st_size for p in paths)
        print(f"{len(paths)} transcripts, {args.turns} turns each, {size / 1e6:.1f} MB")

        started = time.perf_counter()
        peer(paths)
        peer_s = time.perf_counter() - started

        started = time.perf_counter()
        outcome = read_transcripts(paths)
        parse_s = time.perf_counter() - started
        repo = Repository(Repository.sqlite_url(Path(tmp) / "repo.sqlite"))
        repo.upgrade()
        Projects(repo).ensure_default()
        started = time.perf_counter()
        InterviewStore(repo).save_many("default", outcome.interviews)
        store_s = time.perf_counter() - started
        repo.dispose()
        assert not outcome.errors, outcome.errors[:3]

        home = Path(tmp) / "home"
        started = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "fieldnote",
                "--home",
                str(home),
                "transcripts",
                "import",
                *map(str, paths),
                "--json",
            ],
            capture_output=True,
            text=True,
        )
        cli_s = time.perf_counter() - started
        imported = len(json.loads(proc.stdout)["interviews"]) if proc.returncode == 0 else 0
    utterances = sum(len(i.utterances) for i in outcome.interviews)
    print(
        f"CLI import (process, fresh home, SQLite): {cli_s:6.2f} s  ({imported} imported; target < 30 s)"
    )
    print(f"in-process parse:                         {parse_s:6.2f} s  ({utterances} utterances)")
    print(f"in-process store (one transaction):       {store_s:6.2f} s")
    print(f"peer: readers alone (webvtt-py, docx...): {peer_s:6.2f} s")
    print(f"ratio parse / peer: {parse_s / peer_s:.2f}x")
    return {
        "transcripts": len(paths),
        "utterances": utterances,
        "cli_seconds": round(cli_s, 2),
        "cli_imported": imported,
        "parse_seconds": round(parse_s, 2),
        "store_seconds": round(store_s, 2),
        "peer_seconds": round(peer_s, 2),
        "parse_vs_peer": round(parse_s / peer_s, 2),
    }
