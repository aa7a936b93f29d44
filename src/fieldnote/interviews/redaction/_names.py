"""Person names: the participant's own (from the interview's metadata and speaker
labels), other known speakers, and names spotted in speech by their cues (a title, a
relation such as "my manager", or a common first name followed by a surname)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fieldnote.interviews.redaction._types import Found, RedactionContext

__all__ = ["FIRST_NAMES", "KnownNameDetector", "SpokenNameDetector"]

#: Common first names across languages; ambiguous words (Will, May, Mark, Bill, Grace,
#: Hope, June, Rose, Sky, Chase, Max) are left out to keep precision.
FIRST_NAMES = frozenset(
    [
        "Aaron",
        "Abdul",
        "Adam",
        "Adrian",
        "Ahmed",
        "Aisha",
        "Alan",
        "Alex",
        "Alexander",
        "Alexandra",
        "Ali",
        "Alice",
        "Alicia",
        "Amanda",
        "Amir",
        "Amy",
        "Ana",
        "Andrea",
        "Andrew",
        "Andy",
        "Angela",
        "Anna",
        "Anne",
        "Anthony",
        "Antonio",
        "Arjun",
        "Ava",
        "Barbara",
        "Ben",
        "Benjamin",
        "Beth",
        "Brian",
        "Carla",
        "Carlos",
        "Carmen",
        "Caroline",
        "Catherine",
        "Charlie",
        "Chen",
        "Chris",
        "Christina",
        "Christopher",
        "Claire",
        "Daniel",
        "Dana",
        "David",
        "Deepak",
        "Diana",
        "Diego",
        "Dmitri",
        "Elena",
        "Eli",
        "Elizabeth",
        "Ella",
        "Emily",
        "Emma",
        "Eric",
        "Erik",
        "Eva",
        "Fatima",
        "Felix",
        "Fernando",
        "Francesca",
        "Gabriel",
        "George",
        "Hana",
        "Hannah",
        "Harry",
        "Hassan",
        "Helen",
        "Henry",
        "Hiroshi",
        "Ian",
        "Igor",
        "Isabel",
        "Ivan",
        "Jack",
        "Jacob",
        "James",
        "Jamie",
        "Jan",
        "Jane",
        "Jason",
        "Javier",
        "Jennifer",
        "Jessica",
        "Jo",
        "Joe",
        "John",
        "Jonathan",
        "Jorge",
        "Jose",
        "Joseph",
        "Josh",
        "Juan",
        "Julia",
        "Julian",
        "Karen",
        "Kate",
        "Katie",
        "Kevin",
        "Kim",
        "Laura",
        "Lee",
        "Leo",
        "Li",
        "Liam",
        "Linda",
        "Lisa",
        "Lucas",
        "Lucy",
        "Luis",
        "Maria",
        "Marie",
        "Marco",
        "Mario",
        "Martin",
        "Mary",
        "Matt",
        "Matthew",
        "Mei",
        "Mia",
        "Michael",
        "Michelle",
        "Mike",
        "Mohammed",
        "Nadia",
        "Natalia",
        "Nathan",
        "Nick",
        "Nicole",
        "Nina",
        "Noah",
        "Olga",
        "Oliver",
        "Olivia",
        "Omar",
        "Pablo",
        "Paul",
        "Paula",
        "Pedro",
        "Peter",
        "Philip",
        "Priya",
        "Rachel",
        "Rafael",
        "Rahul",
        "Raj",
        "Rebecca",
        "Ricardo",
        "Richard",
        "Robert",
        "Rosa",
        "Ryan",
        "Sam",
        "Samuel",
        "Sara",
        "Sarah",
        "Sean",
        "Sergei",
        "Sofia",
        "Sophie",
        "Stefan",
        "Steve",
        "Steven",
        "Susan",
        "Tanya",
        "Thomas",
        "Tim",
        "Tom",
        "Tony",
        "Vera",
        "Victor",
        "Viktor",
        "Wei",
        "Yuki",
        "Zara",
        "Zoe",
    ]
)
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?")
_RELATION = re.compile(
    r"\b(?:my|our|his|her|their|the)\s+(?:manager|boss|colleague|coworker|co-worker|teammate|"
    r"friend|wife|husband|partner|admin|administrator|team lead|lead|director|assistant|"
    r"cto|ceo|cfo|founder|it guy|it person|accountant|client|sister|brother|mother|father),?\s+"
    r"(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)
_FIRST = re.compile(
    r"\b(?P<name>(?:" + "|".join(sorted(FIRST_NAMES)) + r")(?:\s+[A-Z][a-z'-]{1,})?)\b"
)
_ROLE_WORDS = frozenset(
    [
        "participant",
        "interviewer",
        "moderator",
        "researcher",
        "respondent",
        "user",
        "customer",
        "host",
        "guest",
        "speaker",
        "unknown",
        "p1",
        "p2",
        "p3",
        "int",
        "mod",
    ]
)
#: Capitalised words that follow a first name but are not surnames.
_NOT_SURNAMES = frozenset(
    [
        "I",
        "I'm",
        "I've",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "HubSpot",
        "Slack",
        "Salesforce",
        "Stripe",
        "Google",
        "Sheets",
        "Excel",
        "Pulseboard",
        "Zoom",
        "Teams",
        "The",
        "And",
        "But",
        "So",
    ]
)


def _parts(names: Iterable[str]) -> list[str]:
    parts: set[str] = set()
    for name in names:
        for part in re.split(r"[\s,]+", name):
            clean = part.strip(".()[]'\"")
            if len(clean) >= 2 and clean.casefold() not in _ROLE_WORDS and not clean.isdigit():
                parts.add(clean)
    return sorted(parts, key=len, reverse=True)


def _word_spans(text: str, words: list[str], label: str) -> list[Found]:
    if not words:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    return [Found(m.start(), m.end(), label) for m in pattern.finditer(text)]


class KnownNameDetector:
    """Names the interview itself tells us: the participant's and other speakers'."""

    label = "NAME"

    def find(self, text: str, context: RedactionContext) -> list[Found]:
        participant = _parts(context.participant_names)
        others = [p for p in _parts(context.other_names) if p not in participant]
        return _word_spans(text, participant, "PARTICIPANT") + _word_spans(text, others, "NAME")


class SpokenNameDetector:
    """Names mentioned in speech, found by their cues."""

    label = "NAME"

    def find(self, text: str, context: RedactionContext) -> list[Found]:
        out = [Found(m.start(), m.end(), self.label) for m in _TITLE.finditer(text)]
        out += [Found(m.start("name"), m.end("name"), self.label) for m in _RELATION.finditer(text)]
        for m in _FIRST.finditer(text):
            name = m.group("name")
            words = name.split()
            if len(words) == 2 and words[1] in _NOT_SURNAMES:
                out.append(Found(m.start("name"), m.start("name") + len(words[0]), self.label))
            else:
                out.append(Found(m.start("name"), m.end("name"), self.label))
        return out
