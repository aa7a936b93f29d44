"""``fieldnote users``, ``tokens``, ``audit``; the CLI against a server with a token; and
``fieldnote serve`` refusing a repository that is behind the code."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from fieldnote.repository import Repository
from tests.conftest import free_port, run_cli, start_server
from tests.web.accounts_support import PASSWORD, seed_events


def _json(home: Path, *args: str, input: str | None = None) -> dict:  # type: ignore[type-arg]
    return json.loads(run_cli(home, *args, "--json", input=input).stdout)


def test_users_tokens_and_audit_from_the_shell(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "projects", "create", "shop")
    made = _json(
        home,
        "users",
        "create",
        "--email",
        "Ada@Example.com",
        "--role",
        "researcher",
        "--project",
        "shop",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert made["email"] == "ada@example.com" and "password" not in made
    assert made["roles"] == [{"project": "shop", "role": "researcher"}]
    root = _json(home, "users", "create", "--email", "root@example.com", "--role", "admin")
    assert len(root["password"]) >= 12  # generated, shown once
    bad = run_cli(home, "users", "create", "--email", "x@y.co", "--role", "owner", check=False)
    assert bad.returncode == 1 and "unknown role" in bad.stderr
    _json(
        home,
        "users",
        "set-role",
        "--email",
        "ada@example.com",
        "--role",
        "viewer",
        "--project",
        "default",
    )
    members = _json(home, "users", "list", "--project", "default")["users"]
    assert {u["email"] for u in members} == {"ada@example.com", "root@example.com"}

    token = _json(home, "tokens", "create", "--email", "ada@example.com", "--name", "laptop")
    assert token["token"].startswith("fnt_")
    listed = _json(home, "tokens", "list", "--email", "ada@example.com")["tokens"]
    assert [t["name"] for t in listed] == ["laptop"] and "token" not in listed[0]
    assert _json(home, "tokens", "revoke", str(token["id"]))["active"] is False

    _json(home, "users", "remove", "--email", "ada@example.com", "--project", "default")
    _json(home, "users", "remove", "--email", "root@example.com")
    assert [u["email"] for u in _json(home, "users", "list")["users"]] == ["ada@example.com"]

    actions = [e["action"] for e in _json(home, "audit", "--limit", "20")["entries"]]
    assert actions[0] == "user.remove"
    assert {
        "user.create",
        "member.set_role",
        "token.create",
        "token.revoke",
        "member.remove",
    } <= set(actions)
    shop = _json(home, "audit", "--project", "shop")["entries"]
    assert [e["action"] for e in shop] == ["user.create"]
    table = run_cli(home, "audit").stdout
    assert "user.remove" in table


def test_the_cli_reads_a_remote_server_with_a_personal_token(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seed_events(home, "default", 30)
    run_cli(home, "users", "create", "--email", "r@example.com", "--role", "researcher")
    run_cli(home, "users", "create", "--email", "v@example.com", "--role", "viewer")
    researcher = _json(home, "tokens", "create", "--email", "r@example.com", "--name", "cli")
    viewer = _json(home, "tokens", "create", "--email", "v@example.com", "--name", "cli")
    server = start_server(home)
    elsewhere = tmp_path / "elsewhere"  # a machine without the home folder
    try:

        def remote(token: str, *args: str) -> subprocess.CompletedProcess[str]:
            env = {"FIELDNOTE_SERVER_URL": server.url, "FIELDNOTE_TOKEN": token}
            return run_cli(elsewhere, "events", *args, "--json", env=env, check=False)

        assert json.loads(remote(researcher["token"], "count").stdout) == {"count": 30}
        tail = json.loads(remote(researcher["token"], "tail", "-n", "3").stdout)
        assert len(tail["events"]) == 3 and tail["events"][0]["distinct_id"].startswith("user-")
        assert json.loads(remote(viewer["token"], "count").stdout) == {"count": 30}
        refused = remote(viewer["token"], "tail")
        assert refused.returncode == 1 and "researcher or admin role" in refused.stderr
        run_cli(home, "tokens", "revoke", str(researcher["id"]))
        revoked = remote(researcher["token"], "count")
        assert revoked.returncode == 1 and "revoked" in revoked.stderr
    finally:
        server.stop()


def test_serve_refuses_a_repository_behind_the_code_until_db_upgrade(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    old = Repository(f"sqlite:///{home / 'repository.sqlite'}")
    assert old.upgrade("0001") == "0001"  # a real, older schema: projects only
    old.dispose()
    with sqlite3.connect(home / "repository.sqlite") as conn:
        conn.execute(
            "INSERT INTO projects (name, write_key, secret_key_hash, created_at) "
            "VALUES ('shop', 'fnw_old', 'digest', '2026-01-01 00:00:00')"
        )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fieldnote",
            "--home",
            str(home),
            "serve",
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    message = " ".join(proc.stderr.split())  # the console wraps long lines
    assert "revision 0001" in message and "run `fieldnote db upgrade`" in message
    assert not (home / "server.json").exists()
    upgraded = _json(home, "db", "upgrade")
    assert upgraded["from"] == "0001" and upgraded["to"] != "0001"
    server = start_server(home)
    try:
        assert httpx.get(f"{server.url}/login").status_code == 200
        assert "shop" in run_cli(home, "projects", "list").stdout  # data survived
    finally:
        server.stop()
