"""Intercept matching in a child process gives exactly the matches of the in-process
matcher, in order; a dead child is replaced by in-process matching, not by silence."""

from __future__ import annotations

import json
import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from fieldnote.events import ARROW_SCHEMA
from fieldnote.research import InterceptMatcher, InterceptRule, Match, Offer, PropertyFilter
from fieldnote.research._matcher_process import MatcherProcess

T0 = datetime(2026, 11, 1, tzinfo=UTC)
OFFER = Offer(title="Talk to us", why="KYC failed", minutes=15)
RULES = [
    InterceptRule(event="kyc_failed", offer=OFFER, min_count=2, id=1, project="bank"),
    InterceptRule(
        event="kyc_failed",
        offer=OFFER,
        min_count=1,
        filters=(PropertyFilter("platform", "eq", "mobile"),),
        unless="kyc_passed",
        id=2,
        project="bank",
    ),
    InterceptRule(
        event="signup",
        offer=OFFER,
        unless="activated",
        delay=timedelta(days=3),
        id=3,
        project="bank",
    ),
    InterceptRule(event="kyc_failed", offer=OFFER, min_count=3, id=4, project="shop"),
]


def stream(seed: int, n: int) -> list[pa.Table]:
    """Committed batches of a realistic mix: most events are no rule's business."""
    rng = random.Random(seed)
    names = ["$pageview", "kyc_failed", "kyc_passed", "signup", "activated", "report_viewed"]
    batches: list[pa.Table] = []
    t = T0
    for _ in range(n):
        rows = []
        for _ in range(rng.randint(1, 60)):
            t += timedelta(seconds=rng.randint(1, 900))
            props = {
                "platform": rng.choice(["mobile", "web"]),
                "$session_id": f"s{rng.randint(1, 9)}",
            }
            rows.append(
                {
                    "uuid": str(uuid.uuid4()),
                    "project": rng.choice(["bank", "bank", "shop"]),
                    "distinct_id": f"u{rng.randint(1, 25)}",
                    "event": rng.choice(names),
                    "timestamp": t
                    - timedelta(seconds=rng.randint(0, 120)),  # a little out of order
                    "properties": json.dumps(props),
                }
            )
        batches.append(pa.Table.from_pylist(rows, schema=ARROW_SCHEMA))
    return batches


def key(m: Match) -> tuple[int, str, datetime, str | None]:
    return (m.rule.id, m.distinct_id, m.at, m.session_id)


def test_the_child_finds_the_same_matches_in_the_same_order() -> None:
    batches = stream(seed=7, n=120)
    local = InterceptMatcher(list(RULES))
    # The first batch is sent before any rule exists, so neither side matches it.
    expected = [key(m) for b in batches[1:] for m in local.feed_table(b)]
    expected += [key(m) for m in local.sweep(T0 + timedelta(days=400))]
    assert len(expected) > 50  # the stream exercises the rules

    got: list[Match] = []
    lock = threading.Lock()

    def collect(matches: list[Match]) -> None:
        with lock:
            got.extend(matches)

    process = MatcherProcess(collect)
    try:
        process.submit(batches[0])  # no rules yet: no child, nothing matched
        assert process.pid is None
        process.set_rules(list(RULES))
        for b in batches[1:]:
            process.submit(b)
        process.sweep(T0 + timedelta(days=400))
        assert process.flush(timeout=60)
        assert process.pid is not None and not process.fallen_back
    finally:
        process.close()
    assert [key(m) for m in got] == expected


def test_a_killed_child_falls_back_to_matching_in_process() -> None:
    got: list[Match] = []
    process = MatcherProcess(got.extend)
    try:
        process.set_rules([RULES[1]])
        assert process.flush(timeout=60)
        assert process._process is not None
        process._process.kill()
        process._process.join(timeout=10)
        row = {
            "uuid": str(uuid.uuid4()),
            "project": "bank",
            "distinct_id": "alice",
            "event": "kyc_failed",
            "timestamp": T0,
            "properties": json.dumps({"platform": "mobile"}),
        }
        deadline = datetime.now(UTC) + timedelta(seconds=30)
        while not process.fallen_back and datetime.now(UTC) < deadline:
            process.submit(pa.Table.from_pylist([row], schema=ARROW_SCHEMA))
            row = {**row, "uuid": str(uuid.uuid4()), "distinct_id": row["distinct_id"] + "x"}
        assert process.fallen_back
        process.submit(pa.Table.from_pylist([{**row, "distinct_id": "bob"}], schema=ARROW_SCHEMA))
        assert "bob" in [m.distinct_id for m in got]
    finally:
        process.close()


def test_mute_never_waits_for_the_send_lock_and_reaches_the_child() -> None:
    """The service mutes a person on the receiver thread; if that waited for the send
    lock, a sender blocked on a full pipe and a child blocked sending matches back
    would deadlock. The mute rides along with the next batch: the muted person's
    matches stay in the child, everybody else's arrive."""
    got: list[Match] = []
    process = MatcherProcess(got.extend)
    try:
        process.set_rules([RULES[0]])  # kyc_failed twice, project bank
        assert process.flush(timeout=60)
        with process._send_lock:  # a sender stuck on a full pipe holds it
            muting = threading.Thread(
                target=process.mute, args=("bank", "alice", datetime.now(UTC) + timedelta(days=1))
            )
            muting.start()
            muting.join(timeout=10)
            assert not muting.is_alive()
        rows = [
            {
                "uuid": str(uuid.uuid4()),
                "project": "bank",
                "distinct_id": who,
                "event": "kyc_failed",
                "timestamp": T0 + timedelta(minutes=n),
                "properties": "{}",
            }
            for n in range(2)
            for who in ("alice", "bob")
        ]
        process.submit(pa.Table.from_pylist(rows, schema=ARROW_SCHEMA))
        assert process.flush(timeout=60) and not process.fallen_back
    finally:
        process.close()
    assert [m.distinct_id for m in got] == ["bob"]
