"""Helpers for the intercept tests: a rule, a consent text and events on a live server."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.conftest import LiveServer

RULE = {
    "event": "kyc_failed",
    "min_count": 2,
    "within_seconds": 3600,
    "filters": [{"key": "platform", "op": "eq", "value": "mobile"}],
    "offer": {
        "title": "Help us fix identity checks",
        "why": "Your identity check failed twice; tell us what happened.",
        "minutes": 2,
        "incentive": "€10 voucher",
        "questions": ["What were you trying to do?", "What got in the way?"],
    },
}
CONSENT = {
    "recording": "We do not record this micro-survey.",
    "data_use": "Your answers are used to improve onboarding.",
    "contact": "We may email you once about this.",
}


def admin(server: LiveServer) -> httpx.Client:
    token = json.loads((server.home / "server.json").read_text())["admin_token"]
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def set_up(server: LiveServer, rule: dict[str, Any] | None = None) -> None:
    with admin(server) as client:
        made = client.post(
            "/api/projects/default/intercepts", json={"name": "kyc", "definition": rule or RULE}
        )
        assert made.status_code == 201, made.text
        text = client.post("/api/projects/default/consent-texts", json=CONSENT)
        assert text.status_code == 201, text.text


_KEYS: dict[str, str] = {}


def write_key(server: LiveServer) -> str:
    """The default project's write key (one CLI call per server, not one per event)."""
    if server.url not in _KEYS:
        _KEYS[server.url] = server.write_key()
    return _KEYS[server.url]


def send(server: LiveServer, person: str, event: str, **props: Any) -> None:
    body = {
        "api_key": write_key(server),
        "event": event,
        "distinct_id": person,
        "uuid": str(uuid.uuid4()),
        "timestamp": datetime.now(UTC).isoformat(),
        "properties": props,
    }
    assert httpx.post(f"{server.url}/capture/", json=body, timeout=30).status_code == 200


def pending(server: LiveServer, person: str, key: str | None = None) -> httpx.Response:
    params = {"token": key or write_key(server), "distinct_id": person}
    return httpx.get(f"{server.url}/intercept/v1/pending", params=params, timeout=30)


def wait_for_invitation(server: LiveServer, person: str) -> dict[str, Any]:
    """The listener runs after the commit: poll until the invitation is queued."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = pending(server, person).json()["invitation"]
        if found is not None:
            return dict(found)
        time.sleep(0.1)
    raise AssertionError(f"no invitation for {person} within 30 s")
