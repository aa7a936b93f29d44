"""The real posthog-python SDK, pointed at fieldnote, just works.

capture, identify (``$identify`` + ``$anon_distinct_id``), set and alias land with
their fields, retries are counted once, and the persons they describe are merged.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from posthog import Posthog

from fieldnote.events import DuckDBEventStore
from tests.conftest import LiveServer


def tail(server: LiveServer, n: int = 50) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(
        server.cli("events", "tail", "--json", "--limit", str(n)).stdout
    )["events"]
    return events


def count(server: LiveServer) -> int:
    return int(json.loads(server.cli("events", "count", "--json").stdout)["count"])


def test_capture_identify_set_and_alias_from_posthog_python(live_server: LiveServer) -> None:
    key = live_server.write_key()
    posthog = Posthog(key, host=live_server.url, sync_mode=True, disable_geoip=True)
    gzipped = Posthog(key, host=live_server.url, sync_mode=True, gzip=True)
    created = str(uuid.uuid4())
    at = datetime(2026, 11, 20, 9, 30, 15, 250000, tzinfo=UTC)

    # An anonymous visitor creates a report, then signs up and is identified.
    assert (
        posthog.capture(
            "report_created",
            distinct_id="anon-7f3",
            properties={
                "report_type": "funnel",
                "rows": 1200,
                "$current_url": "https://app.example.com/r/7",
            },
            timestamp=at,
            uuid=created,
        )
        == created
    )
    posthog.capture(
        "$identify",
        distinct_id="maria@acme.io",
        properties={"$anon_distinct_id": "anon-7f3", "$set": {"email": "maria@acme.io"}},
    )
    posthog.set(distinct_id="maria@acme.io", properties={"plan": "team", "seats": 12})
    posthog.set_once(distinct_id="maria@acme.io", properties={"first_plan": "free"})
    posthog.alias(previous_id="maria@acme.io", distinct_id="crm-00991")
    gzipped.capture(
        "dashboard_viewed", distinct_id="maria@acme.io", properties={"dashboard": "Weekly"}
    )
    # A retry of the first event (same uuid) is acknowledged but counted once.
    posthog.capture("report_created", distinct_id="anon-7f3", timestamp=at, uuid=created)
    posthog.flush()

    assert count(live_server) == 6
    events = {e["event"]: e for e in tail(live_server)}
    assert set(events) == {
        "report_created",
        "$identify",
        "$set",
        "$set_once",
        "$create_alias",
        "dashboard_viewed",
    }
    report = events["report_created"]
    assert report["uuid"] == created
    assert report["distinct_id"] == "anon-7f3"
    assert datetime.fromisoformat(report["timestamp"]) == at
    assert report["properties"]["report_type"] == "funnel"
    assert report["properties"]["rows"] == 1200
    assert report["properties"]["$lib"] == "posthog-python"

    identify = events["$identify"]
    assert identify["distinct_id"] == "maria@acme.io"
    assert identify["properties"]["$anon_distinct_id"] == "anon-7f3"
    assert events["$set"]["properties"]["$set"] == {"plan": "team", "seats": 12}
    assert events["$set_once"]["properties"]["$set_once"] == {"first_plan": "free"}
    assert events["$create_alias"]["distinct_id"] == "maria@acme.io"
    assert events["$create_alias"]["properties"]["alias"] == "crm-00991"
    assert events["dashboard_viewed"]["properties"]["dashboard"] == "Weekly"

    # Persons: the anonymous visitor, the identified user and the CRM id are one person.
    live_server.stop()
    store = DuckDBEventStore(live_server.home / "events.duckdb", read_only=True)
    try:
        rows = store.connection.execute(
            """
            SELECT m.distinct_id, CAST(m.person_id AS VARCHAR), CAST(p.properties AS VARCHAR)
            FROM person_distinct_ids m JOIN persons p USING (project, person_id)
            WHERE m.project = 'default'
            """
        ).fetchall()
    finally:
        store.close()
    people = {did: (pid, json.loads(props)) for did, pid, props in rows}
    assert set(people) == {"anon-7f3", "maria@acme.io", "crm-00991"}
    assert len({pid for pid, _ in people.values()}) == 1
    properties = people["maria@acme.io"][1]
    assert properties["email"] == "maria@acme.io"
    assert properties["plan"] == "team"
    assert properties["first_plan"] == "free"
