"""``fieldnote intercepts`` and ``fieldnote participants`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.web.intercept_support import CONSENT, RULE


def test_rules_consent_texts_and_withdrawal(home: Path, tmp_path: Path) -> None:
    rule = tmp_path / "rule.json"
    rule.write_text(json.dumps(RULE))
    made = json.loads(
        run_cli(home, "intercepts", "create", "kyc", "--definition", str(rule), "--json").stdout
    )
    assert made["name"] == "kyc" and made["definition"]["min_count"] == 2
    listed = json.loads(run_cli(home, "intercepts", "list", "--json").stdout)
    assert [r["name"] for r in listed["rules"]] == ["kyc"]
    again = run_cli(home, "intercepts", "create", "kyc", "--definition", str(rule), check=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**RULE, "min_count": 0}))
    bad = run_cli(home, "intercepts", "create", "x", "--definition", str(broken), check=False)
    unwrapped = "".join(bad.stderr.split())  # the console wraps long paths mid-name
    assert bad.returncode != 0 and "min_count" in unwrapped and "broken.json" in unwrapped
    text = tmp_path / "consent.json"
    text.write_text(json.dumps(CONSENT))
    v1 = json.loads(run_cli(home, "participants", "consent-text", str(text), "--json").stdout)
    v2 = json.loads(run_cli(home, "participants", "consent-text", str(text), "--json").stdout)
    assert (v1["version"], v2["version"]) == (1, 2)
    run_cli(home, "participants", "withdraw", "alice")
    records = json.loads(run_cli(home, "participants", "consent", "alice", "--json").stdout)
    assert [r["action"] for r in records["records"]] == ["withdrawn"]
    funnel = json.loads(run_cli(home, "intercepts", "invitations", "--json").stdout)["funnel"]
    assert funnel["invited"] == 0
