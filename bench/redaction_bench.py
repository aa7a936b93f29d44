"""Redaction quality on the demo interviews with planted personal data.

``python -m bench redaction`` takes the generated demo interviews (realistic answers
that mention products, days, numbers and colleagues by role), plants personal data in
a random third of the participant turns (an email, a phone number, a Luhn-valid card
number, an SSN, a token URL, the participant's own first name, a colleague's full
name), redacts, and counts per kind: planted items still visible (misses) and masks
placed where nothing was planted (false alarms, by label). The peer is "mask known
names only" (what a find-and-replace of the speaker labels does), same data.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import replace
from typing import Any

from fieldnote.interviews import Interview
from fieldnote.interviews.demo import demo_interviews
from fieldnote.interviews.redaction import RedactionContext, context_for, redact_interview

PLANTS = {
    "EMAIL": lambda rng, iv: (
        f"{rng.choice(['maya', 'j.ortiz', 'ops-team'])}{rng.randint(1, 99)}@{rng.choice(['acme.io', 'northwind.co.uk', 'gmail.com'])}"
    ),
    "PHONE": lambda rng, iv: rng.choice(
        ["+44 20 7946 0{:03d}", "(415) 555-0{:03d}", "07700 900{:03d}"]
    ).format(rng.randint(0, 999)),
    "CARD": lambda rng, iv: rng.choice(
        ["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009"]
    ),
    "ID": lambda rng, iv: (
        f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    ),
    "URL": lambda rng, iv: f"https://app.pulseboard.example/invite?token={rng.randbytes(9).hex()}",
    "PARTICIPANT": lambda rng, iv: (iv.participant or "Sam").split()[0],
    "NAME": lambda rng, iv: rng.choice(
        ["Jessica Parker", "Ravi Menon", "Olga Petrova", "Tom Berg"]
    ),
}
SENTENCES = {
    "EMAIL": "You can email me at {} if you need the file.",
    "PHONE": "My number is {}, text me.",
    "CARD": "They asked for my card, {}, to upgrade.",
    "ID": "It even asked for my SSN {} which was weird.",
    "URL": "The link was {} and it expired.",
    "PARTICIPANT": "My team calls me {} anyway.",
    "NAME": "I asked {} from finance to help.",
}


def plant(
    interviews: list[Interview], rng: random.Random
) -> tuple[list[Interview], list[tuple[str, str, str]]]:
    planted: list[tuple[str, str, str]] = []  # (interview id, label, value)
    out = []
    for iv in interviews:
        utterances = list(iv.utterances)
        for i, u in enumerate(utterances):
            if u.is_participant and rng.random() < 0.33:
                label = rng.choice(list(PLANTS))
                value = PLANTS[label](rng, iv)
                utterances[i] = replace(u, text=f"{u.text} {SENTENCES[label].format(value)}")
                planted.append((iv.id, label, value))
        out.append(replace(iv, utterances=tuple(utterances)))
    return out, planted


def known_names_only(iv: Interview) -> str:
    ctx: RedactionContext = context_for(iv)
    text = " ".join(u.text for u in iv.utterances)
    for name in (*ctx.participant_names, *ctx.other_names):
        for part in name.split():
            text = re.sub(rf"\b{re.escape(part)}\b", "[NAME]", text)
    return text


def main(argv: list[str]) -> dict[str, Any]:
    rng = random.Random(3)
    interviews, planted = plant(demo_interviews(60, seed=21), rng)
    redacted = {
        iv.id: " ".join(u.text for u in redact_interview(iv).utterances) for iv in interviews
    }
    peer = {iv.id: known_names_only(iv) for iv in interviews}
    missed: Counter[str] = Counter()
    peer_missed: Counter[str] = Counter()
    total: Counter[str] = Counter(label for _, label, _ in planted)
    for iid, label, value in planted:
        missed[label] += value in redacted[iid]
        peer_missed[label] += value in peer[iid]
    masks: Counter[str] = Counter(
        m for text in redacted.values() for m in re.findall(r"\[([A-Z]+)\]", text)
    )
    # Masks beyond what was planted (each planted item and each known-name mention
    # accounts for one mask); names the demo itself contains count as planted.
    expected: Counter[str] = Counter()
    for iv in interviews:
        raw = " ".join(u.text for u in iv.utterances)
        ctx = context_for(iv)
        parts = {p for n in ctx.participant_names for p in n.split()}
        expected["PARTICIPANT"] += sum(
            len(re.findall(rf"\b{re.escape(p)}\b", raw, re.I)) for p in parts
        )
    for _, label, _ in planted:
        if label != "PARTICIPANT":
            expected[label] += 1
    print(f"{len(interviews)} interviews, {sum(total.values())} planted items")
    print(
        f"{'kind':12} {'planted':>8} {'missed':>7} {'peer missed':>12} {'masks':>6} {'expected':>9}"
    )
    for label in PLANTS:
        print(
            f"{label:12} {total[label]:8d} {missed[label]:7d} {peer_missed[label]:12d} "
            f"{masks[label]:6d} {expected[label]:9d}"
        )
    return {
        "planted": dict(total),
        "missed": dict(missed),
        "peer_missed": dict(peer_missed),
        "masks": dict(masks),
        "expected_masks": dict(expected),
    }
