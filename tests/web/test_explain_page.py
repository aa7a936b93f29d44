"""The explain page in-process on the demo product: the same decomposition as the JSON
API, and every unreadable field named beside its control."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.web.analytics_pages_support import as_user, client, home, table

__all__ = ["client", "home"]  # module-scoped fixtures, one demo per test module

PERIODS = {"before": "2026-01-05..2026-01-18", "after": "2026-01-19..2026-02-01"}


def test_explain_shows_the_apis_decomposition(client: TestClient) -> None:
    as_user(client, "viewer@example.com")
    q = {**PERIODS, "by": "platform,channel"}
    r = client.get("/projects/demo/explain?" + urlencode({"metric": "activation", **q}))
    assert r.status_code == 200, r.text[:500]
    api = client.get("/api/projects/demo/analytics/explain/activation?" + urlencode(q)).json()
    b, a = api["before"], api["after"]
    assert f"of {b['users']:,} → " in r.text and f"of {a['users']:,}</h2>" in r.text
    for d in api["dimensions"]:
        assert f"By {d['dimension']}: mix {d['mix'] * 100:+.1f} pts" in r.text
    rows = table(r.text, "explain-first")
    first = api["dimensions"][0]["segments"][0]
    assert rows[0].startswith(f"{first['value']}")
    assert f"{first['n_before']:,} → {first['n_after']:,}" in rows[0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"before": "2026-01-05", "after": PERIODS["after"], "by": "platform"}, "use FROM..TO"),
        ({**PERIODS, "by": " , "}, "give at least one dimension"),
        ({**PERIODS, "by": "a]"}, "dimension &#39;a]&#39;"),
        ({**PERIODS, "by": "platform", "metric": "revenue"}, "unknown metric &#39;revenue&#39;"),
        ({**PERIODS, "by": "platform", "within": "a week"}, "cannot read duration"),
        ({**PERIODS, "by": "platform", "metric": "conversion"}, "at least two steps"),
    ],
)
def test_bad_explain_input_is_a_422_with_the_reason(
    client: TestClient, query: dict[str, str], message: str
) -> None:
    as_user(client, "viewer@example.com")
    r = client.get("/projects/demo/explain?" + urlencode(query))
    assert r.status_code == 422
    assert message in r.text and 'id="explain-result"' not in r.text
