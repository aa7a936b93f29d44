"""Demo interviews with Pulseboard mobile users, as domain objects and as files."""

from fieldnote.interviews.demo._generate import DEMO_QUESTION, demo_interviews, write_demo_files
from fieldnote.interviews.demo._people import OTHER_TOPICS, Persona
from fieldnote.interviews.demo._phrases import ADMIN, STORIES

__all__ = [
    "ADMIN",
    "DEMO_QUESTION",
    "OTHER_TOPICS",
    "STORIES",
    "Persona",
    "demo_interviews",
    "write_demo_files",
]
