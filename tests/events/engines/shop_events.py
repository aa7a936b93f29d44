"""A small, realistic event stream: an online shop where visitors browse anonymously,
sign up (PostHog ``identify``), upgrade, come back on a second device and get a CRM
alias; plus a blog project beside it. It knows the ground truth (who is who, each
person's final properties), so tests can check engines against it, not just
against each other.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from fieldnote.events import Event

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PRODUCTS = [("trail-shoe", 129.0), ("rain-jacket", 89.5), ("wool-socks", 14.0), ("tent", 349.0)]


@dataclass
class ExpectedPerson:
    distinct_ids: set[str]
    properties: dict[str, Any]


@dataclass
class ShopStream:
    """Batches in arrival order (retries included) and the truth about them."""

    batches: list[list[Event]] = field(default_factory=list)
    unique: dict[tuple[str, str], Event] = field(default_factory=dict)
    persons: dict[str, list[ExpectedPerson]] = field(default_factory=dict)

    def events(self, project: str) -> list[Event]:
        return [e for (p, _), e in self.unique.items() if p == project]

    def event_counts(self, project: str) -> Counter[str]:
        return Counter(e.event for e in self.events(project))

    def person_of(self, project: str, distinct_id: str) -> ExpectedPerson:
        return next(p for p in self.persons[project] if distinct_id in p.distinct_ids)


def _event(
    rng: random.Random,
    project: str,
    distinct_id: str,
    name: str,
    at: datetime,
    props: dict[str, Any],
) -> Event:
    return Event(
        uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        project=project,
        distinct_id=distinct_id,
        event=name,
        timestamp=at,
        properties_json=orjson.dumps(props).decode(),
    )


def shop_stream(*, visitors: int = 40, seed: int = 7, batch_size: int = 23) -> ShopStream:
    rng = random.Random(seed)
    timeline: list[Event] = []
    shop_people: list[ExpectedPerson] = []
    for n in range(visitors):
        anon = f"anon-{n:03d}"
        start = T0 + timedelta(hours=rng.randint(0, 60), minutes=rng.randint(0, 59))
        os_name = rng.choice(["iOS", "Android", "Windows", "macOS"])
        t = start
        person = ExpectedPerson(distinct_ids={anon}, properties={})

        base = {"$os": os_name, "$browser": "Safari" if os_name == "iOS" else "Chrome"}

        def step(
            did: str,
            name: str,
            props: dict[str, Any],
            *,
            minutes: int = 3,
            base: dict[str, str] = base,
        ) -> None:
            nonlocal t
            t += timedelta(minutes=rng.randint(1, minutes))
            timeline.append(_event(rng, "shop", did, name, t, {**base, **props}))

        step(anon, "$pageview", {"$current_url": "https://shop.example/"})
        for _ in range(rng.randint(1, 4)):
            product, price = rng.choice(PRODUCTS)
            step(anon, "product_viewed", {"product": product, "price": price})
        if n % 3 == 2:  # a third only browse and leave
            shop_people.append(person)
            continue
        user = f"user-{n:03d}"
        plan = "free"
        channel = rng.choice(["ads", "seo", "newsletter"])
        step(
            user,
            "$identify",
            {
                "$anon_distinct_id": anon,
                "$set": {"email": f"{user}@example.com", "plan": plan},
                "$set_once": {"first_channel": channel},
            },
        )
        person.distinct_ids.add(user)
        person.properties.update({"email": f"{user}@example.com", "plan": plan})
        person.properties.setdefault("first_channel", channel)
        step(user, "signed_up", {"plan": plan})
        if n % 4 == 0:
            product, price = rng.choice(PRODUCTS)
            step(user, "added_to_cart", {"product": product, "price": price})
            step(user, "order_completed", {"product": product, "revenue": price})
        if n % 5 == 0:
            plan = "pro"
            step(user, "plan_upgraded", {"$set": {"plan": plan}, "from": "free"})
            person.properties["plan"] = plan
        if n % 6 == 0:  # back on a second device, then identified there too
            phone = f"anon-{n:03d}-phone"
            step(phone, "$pageview", {"$current_url": "https://shop.example/account"}, minutes=90)
            step(
                user,
                "$identify",
                {"$anon_distinct_id": phone, "$set_once": {"first_channel": "direct"}},
            )
            person.distinct_ids.add(phone)
        if n % 7 == 0:  # the CRM id, linked by alias
            crm = f"crm-{1000 + n}"
            step(user, "$create_alias", {"alias": crm})
            person.distinct_ids.add(crm)
        shop_people.append(person)

    blog_people: list[ExpectedPerson] = []
    for n in range(6):
        reader = f"reader-{n}"
        for k in range(n + 1):
            at = T0 + timedelta(days=1, hours=n, minutes=k)
            timeline.append(_event(rng, "blog", reader, "post_read", at, {"post": f"/p/{k}"}))
        blog_people.append(ExpectedPerson(distinct_ids={reader}, properties={}))

    # Arrival order: mostly by time, with some requests overtaking others.
    timeline.sort(key=lambda e: (e.timestamp, e.uuid))
    stream = ShopStream(persons={"shop": shop_people, "blog": blog_people})
    for e in timeline:
        stream.unique[(e.project, e.uuid)] = e
    batches = [timeline[i : i + batch_size] for i in range(0, len(timeline), batch_size)]
    for i in range(1, len(batches), 2):  # SDK retries: part of an earlier batch again
        earlier = batches[i - 1]
        batches[i] = batches[i] + earlier[: max(1, len(earlier) // 3)]
    stream.batches = batches
    return stream
