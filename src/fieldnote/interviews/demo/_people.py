"""Who the demo participants are: mobile users of Pulseboard (the demo product, a KPI
dashboard tool; see ``fieldnote.demo``), each with a job, a phone, the tool they tried
to connect, and the problems they actually ran into."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["OTHER_TOPICS", "Persona", "make_persona"]

FIRST = [
    "Maya",
    "Tomás",
    "Lena",
    "Kofi",
    "Aiko",
    "Ravi",
    "Sofia",
    "Jonas",
    "Amara",
    "Diego",
    "Hana",
    "Omar",
    "Elif",
    "Lucas",
    "Noor",
    "Mateo",
    "Ingrid",
    "Tariq",
    "Chloe",
    "Femi",
    "Yara",
    "Bruno",
    "Leila",
    "Sven",
    "Priyanka",
    "Caleb",
    "Mina",
    "Andrés",
    "Zanele",
    "Felix",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Haddad",
    "Moreau",
    "Tanaka",
    "Osei",
    "Kowalski",
    "Rahman",
    "Silva",
    "Novak",
    "Fischer",
    "Duarte",
    "Mensah",
    "Ivanova",
    "Castillo",
    "Nakamura",
    "Brennan",
    "Aziz",
    "Petrov",
    "Oyelaran",
    "Varga",
    "Costa",
    "Sato",
    "Keane",
]
JOBS = (
    ("sales operations lead", "the weekly pipeline numbers"),
    ("marketing manager", "campaign sign-ups and spend"),
    ("founder", "revenue and burn for the board"),
    ("finance analyst", "monthly recurring revenue"),
    ("customer success manager", "renewals and churn risk"),
    ("store manager", "daily sales across two shops"),
    ("growth marketer", "trial conversions"),
    ("operations coordinator", "orders and fulfilment times"),
)
PHONES = ("iPhone", "Android phone", "iPhone", "Pixel", "Samsung phone")
INTEGRATIONS = ("HubSpot", "Salesforce", "Slack", "Google Sheets", "Stripe")
OWNERS = ("our IT lead", "my manager", "the CRM admin", "our ops director", "the founder")
PLACES = (
    "on the train",
    "between two meetings",
    "at my kid's football practice",
    "in a taxi to the airport",
    "on the couch after dinner",
    "in the warehouse",
)
#: Unrelated topics every participant brings some of (synthesis has to separate them).
OTHER_TOPICS = (
    "slow_reports",
    "small_charts",
    "notifications",
    "pricing",
    "export",
    "login",
    "sharing",
    "sync_delay",
)


@dataclass(frozen=True, kw_only=True)
class Persona:
    name: str
    job: str
    tracks: str
    phone: str
    integration: str
    owner: str  # who holds admin rights on the connected tool
    place: str
    hit_admin_problem: bool
    topics: tuple[str, ...]  # other topics, in the order they come up
    minutes_lost: int
    team_size: int


def make_persona(rng: random.Random, *, admin_problem: bool) -> Persona:
    job, tracks = rng.choice(JOBS)
    return Persona(
        name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        job=job,
        tracks=tracks,
        phone=rng.choice(PHONES),
        integration=rng.choice(INTEGRATIONS),
        owner=rng.choice(OWNERS),
        place=rng.choice(PLACES),
        hit_admin_problem=admin_problem,
        topics=tuple(rng.sample(OTHER_TOPICS, k=rng.randint(2, 3))),
        minutes_lost=rng.choice((20, 30, 45, 60, 90)),
        team_size=rng.randint(3, 40),
    )
