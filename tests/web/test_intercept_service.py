"""The commit listener in-process: committed Arrow rows → matcher → invitations, with
the policy's shortcuts giving the same answers as the repository would."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from fieldnote._core import Fieldnote
from fieldnote.events import ARROW_SCHEMA
from fieldnote.research._matcher_process import MatcherProcess
from fieldnote.web._intercept_service import InterceptService
from tests.web.intercept_support import RULE


def batch(rows: list[tuple[str, str, dict[str, object]]]) -> pa.Table:
    now = datetime.now(UTC)
    return pa.table(
        {
            "uuid": [str(uuid.uuid4()) for _ in rows],
            "project": ["default"] * len(rows),
            "distinct_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "timestamp": [now - timedelta(seconds=len(rows) - i) for i in range(len(rows))],
            "properties": [json.dumps(r[2]) for r in rows],
        },
        schema=ARROW_SCHEMA,
    )


def test_listener_queues_once_per_person_and_stops_at_the_cap(fieldnote: Fieldnote) -> None:
    fieldnote.projects.ensure_default()
    service = InterceptService(fieldnote.repository, sweep_seconds=3600)
    try:
        service.on_commit(batch([("a", "kyc_failed", {"platform": "mobile"})] * 2))
        assert service.queued == 0  # no rule yet: nothing even parsed
        service.store.create_rule("default", "kyc", {**RULE, "min_count": 1})
        service.reload()
        mobile = {"platform": "mobile"}
        rows = [("a", "kyc_failed", mobile)] * 3 + [("b", "kyc_failed", {"platform": "web"})]
        rows += [("c", "$pageview", mobile), ("d", "kyc_failed", "not an object")]  # type: ignore[list-item]
        service.on_commit(batch(rows))
        assert [i.distinct_id for i in service.store.list("default")] == ["a"]
        service.store.policy = type(service.store.policy)(daily_cap=2)
        service.on_commit(batch([(f"p{i}", "kyc_failed", mobile) for i in range(5)]))
        assert [i.distinct_id for i in service.store.list("default")] == ["a", "p0"]
        assert service.queued == 2
    finally:
        service.stop()


def test_in_a_separate_process_the_listener_queues_the_same_invitations(
    fieldnote: Fieldnote,
) -> None:
    """What ``fieldnote serve`` runs: matching in a child process, invitations queued
    here when its matches come back."""
    fieldnote.projects.ensure_default()
    service = InterceptService(fieldnote.repository, sweep_seconds=3600, separate_process=True)
    try:
        service.store.create_rule("default", "kyc", {**RULE, "min_count": 1})
        service.reload()
        mobile = {"platform": "mobile"}
        rows = [("a", "kyc_failed", mobile)] * 3 + [("b", "kyc_failed", {"platform": "web"})]
        service.on_commit(batch(rows))
        service.on_commit(batch([(f"p{i}", "kyc_failed", mobile) for i in range(3)]))
        assert service.flush(timeout=60)
        assert isinstance(service.matcher, MatcherProcess) and service.matcher.pid is not None
        assert [i.distinct_id for i in service.store.list("default")] == ["a", "p0", "p1", "p2"]
        assert service.may_be_pending("default", "p2") and not service.may_be_pending(
            "default", "b"
        )
    finally:
        service.stop()
