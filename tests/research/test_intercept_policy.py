"""Contact fatigue, sampling, consent and the invitation life cycle, in the repository."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from fieldnote.repository import Projects, Repository
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._invitations import InvitationError, InvitationStore
from fieldnote.research import ConsentError, ConsentText, ContactPolicy
from tests.repository.conftest import repository

__all__ = ["repository"]  # the fixture: SQLite and PostgreSQL

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
OFFER = {"title": "Talk?", "why": "w", "minutes": 5, "link": "https://x.example"}
TEXT = ConsentText(recording="We record.", data_use="We use notes.", contact="We may write.")


@pytest.fixture
def stores(repository: Repository) -> tuple[InvitationStore, ConsentStore]:
    """On SQLite and on PostgreSQL (the migration included)."""
    repository.upgrade()
    Projects(repository).ensure_default()
    policy = ContactPolicy(daily_cap=3)
    return InvitationStore(repository, policy), ConsentStore(repository)


def queue(store: InvitationStore, person: str, at: datetime, **kw: object) -> str:
    decision, made = store.queue("default", person, offer=OFFER, now=at, **kw)  # type: ignore[arg-type]
    assert (made is not None) == decision.invite
    return decision.reason


def test_not_twice_in_30_days_across_rules_and_one_per_session(
    stores: tuple[InvitationStore, ConsentStore],
) -> None:
    inv, _ = stores
    rule_a = inv.create_rule("default", "a", {"event": "x"}).id
    rule_b = inv.create_rule("default", "b", {"event": "y"}).id
    assert queue(inv, "u1", NOW, rule_id=rule_a, session_id="s") == "eligible"
    assert queue(inv, "u1", NOW + timedelta(days=29), rule_id=rule_b).startswith("invited within")
    policy_no_cooldown = InvitationStore(inv._repo, ContactPolicy(cooldown=timedelta(0)))
    reason = queue(policy_no_cooldown, "u1", NOW + timedelta(hours=1), session_id="s")
    assert reason == "already invited in this session"
    assert queue(inv, "u1", NOW + timedelta(days=31), rule_id=rule_b) == "eligible"


def test_daily_cap_and_sampling(stores: tuple[InvitationStore, ConsentStore]) -> None:
    inv, _ = stores
    reasons = [queue(inv, f"p{i}", NOW) for i in range(5)]
    assert reasons.count("eligible") == 3 and reasons[3].startswith("the project's daily cap")
    assert queue(inv, "p9", NOW + timedelta(days=1)) == "eligible"
    rng = random.Random(7)
    sampled = [
        queue(inv, f"s{i}", NOW + timedelta(days=2 + i), sampling_rate=0.3, rng=rng)
        for i in range(200)
    ]
    share = sampled.count("eligible") / len(sampled)
    assert 0.2 < share < 0.4  # 0.3 ± 3.1 binomial standard errors at n=200


def test_life_cycle_decline_is_respected_and_reveals_nothing(
    stores: tuple[InvitationStore, ConsentStore],
) -> None:
    inv, _ = stores
    rule_id = inv.create_rule("default", "r", {"event": "x"}).id
    queue(inv, "u1", NOW, rule_id=rule_id)
    pending = inv.pending("default", "u1")
    assert pending is not None and inv.pending("default", "u2") is None
    with pytest.raises(InvitationError, match="no invitation"):
        inv.act("default", pending.id, "u2", "seen")  # not theirs
    inv.act("default", pending.id, "u1", "seen")
    assert inv.act("default", pending.id, "u1", "decline").status == "declined"
    assert inv.pending("default", "u1") is None
    with pytest.raises(InvitationError, match="cannot accept an invitation that is declined"):
        inv.act("default", pending.id, "u1", "accept")
    later = NOW + timedelta(days=60)
    assert queue(inv, "u1", later, rule_id=rule_id) == "the person declined this before"
    assert inv.funnel("default")["invited"] == 1


def test_consent_versions_records_and_withdrawal(
    stores: tuple[InvitationStore, ConsentStore],
) -> None:
    inv, consent = stores
    v1 = consent.publish("default", TEXT)
    v2 = consent.publish("default", ConsentText("We record video.", TEXT.data_use, TEXT.contact))
    assert (v1.version, v2.version) == (1, 2)
    current = consent.current("default")
    assert current is not None and current.id == v2.id
    queue(inv, "u1", NOW)
    made = inv.pending("default", "u1")
    assert made is not None
    inv.act("default", made.id, "u1", "accept")
    record = consent.grant(
        "default", "u1", v2.id, parts={"data_use": True, "recording": True}, invitation_id=made.id
    )
    assert (record.version, record.recording, record.contact) == (2, True, False)
    with pytest.raises(ConsentError, match=r"^parts\.data_use"):
        consent.grant("default", "u1", v2.id, parts={"recording": True})
    consent.withdraw("default", "u1")
    assert inv.list("default")[0].status == "withdrawn"
    assert queue(inv, "u1", NOW + timedelta(days=90)) == "the person withdrew consent"
    with pytest.raises(ConsentError, match="withdrew"):
        consent.grant("default", "u1", v2.id, parts={"data_use": True})
    assert [r.action for r in consent.records("default", "u1")] == ["granted", "withdrawn"]
