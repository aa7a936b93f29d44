"""A planted corpus: five themes said in varied words by many participants, plus noise."""

from __future__ import annotations

import random

from fieldnote.synthesis import Note

THEMES: dict[str, tuple[list[str], list[str]]] = {
    "admin": (
        [
            "getting admin access",
            "the admin permission request",
            "asking our admin for rights",
            "waiting on admin access",
            "admin rights to invite teammates",
        ],
        [
            "takes days",
            "blocked my whole team",
            "never reaches anyone",
            "is impossible on mobile",
            "means I can't invite people",
        ],
    ),
    "export": (
        [
            "I export the report to Excel",
            "we copy the numbers into a spreadsheet",
            "I download the CSV into Excel",
            "the spreadsheet export",
        ],
        [
            "every Monday",
            "to build the charts finance wants",
            "because the dashboard charts are wrong",
            "by hand before the review",
        ],
    ),
    "sync": (
        [
            "sync on the mobile app",
            "the phone app sync",
            "mobile sync of my notes",
            "syncing between phone and laptop",
        ],
        [
            "is really slow",
            "keeps failing on the train",
            "loses my latest edits",
            "takes minutes every morning",
        ],
    ),
    "design": (
        [
            "I love the clean dashboard design",
            "the dashboard design is beautiful",
            "really love how clean the dashboard looks",
        ],
        ["and easy to read", "and my team loves it too", "so great work"],
    ),
    "pricing": (
        [
            "how much does the team plan cost",
            "is there a discount on the yearly plan price",
            "what does pricing look like",
            "why is the plan price per seat",
        ],
        ["for larger teams?", "for ten seats?", "compared to the old plan?"],
    ),
}
NOISE = [
    "my cat walked across the keyboard during the call",
    "the weather was nice that afternoon",
    "I had lunch before the meeting started",
]


def planted(seed: int = 0, per_theme: int = 24) -> tuple[list[Note], dict[str, str]]:
    """Notes and the planted theme of each note id ("noise" for noise)."""
    rng = random.Random(seed)
    notes: list[Note] = []
    truth: dict[str, str] = {}
    for theme, (heads, tails) in THEMES.items():
        for i in range(per_theme):
            text = f"{rng.choice(heads)} {rng.choice(tails)}"
            note_id = f"{theme}-{i}"
            notes.append(Note(note_id, text, f"interview-{i % 12}", f"p{i % 12}"))
            truth[note_id] = theme
    for i, text in enumerate(NOISE):
        notes.append(Note(f"noise-{i}", text, "interview-x", f"p{20 + i}"))
        truth[f"noise-{i}"] = "noise"
    rng.shuffle(notes)
    return notes, truth
