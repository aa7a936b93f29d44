"""Users, roles, passwords, tokens, sessions and the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from fieldnote.repository import (
    AccountError,
    Accounts,
    AuditLog,
    Projects,
    Repository,
    Role,
    Sessions,
    Tokens,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(repository: Repository) -> Accounts:
    repository.ensure_ready(auto_create=True)
    Projects(repository).create("shop")
    Projects(repository).create("bank")
    return Accounts(repository)


def test_a_user_gets_a_role_in_one_project_or_in_all(accounts: Accounts) -> None:
    ada = accounts.create("Ada@Example.com ", "researcher", project="shop", password=PASSWORD)
    assert ada.email == "ada@example.com" and ada.has_password
    root = accounts.create("root@example.com", "admin")
    access = accounts.access(ada.id)
    assert access is not None
    assert access.role_in("shop") is Role.RESEARCHER and access.role_in("bank") is None
    root_access = accounts.access(root.id)
    assert root_access is not None
    assert root_access.role_in("bank") is Role.ADMIN and root_access.role_in("later") is Role.ADMIN
    assert [u.email for u in accounts.list(project="bank")] == ["root@example.com"]
    assert [u.email for u in accounts.list(project="shop")] == [
        "ada@example.com",
        "root@example.com",
    ]


def test_set_role_replaces_and_remove_role_keeps_the_user(accounts: Accounts) -> None:
    accounts.create("ada@example.com", "viewer", project="shop")
    accounts.set_role("ADA@example.com", "admin", project="shop")
    accounts.set_role("ada@example.com", "viewer", project="bank")
    info = accounts.require("ada@example.com")
    assert {(m.project, m.role) for m in info.memberships} == {
        ("shop", Role.ADMIN),
        ("bank", Role.VIEWER),
    }
    accounts.remove_role("ada@example.com", project="shop")
    assert [m.project for m in accounts.require("ada@example.com").memberships] == ["bank"]
    with pytest.raises(AccountError, match="has no role"):
        accounts.remove_role("ada@example.com", project="shop")


@pytest.mark.parametrize(
    ("email", "role", "project", "message"),
    [
        ("not-an-email", "viewer", None, "not a valid email"),
        ("a@b.co", "owner", None, "unknown role"),
        ("a@b.co", "viewer", "nope", "no project named"),
    ],
)
def test_bad_account_requests_are_refused(
    accounts: Accounts, email: str, role: str, project: str | None, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.create(email, role, project=project)
    assert accounts.list() == []


def test_duplicate_email_is_refused(accounts: Accounts) -> None:
    accounts.create("ada@example.com", "viewer")
    with pytest.raises(AccountError, match="already exists"):
        accounts.create("ADA@example.com", "admin")


def test_passwords_are_argon2_hashed_and_checked(
    accounts: Accounts, repository: Repository
) -> None:
    accounts.create("ada@example.com", "viewer", password=PASSWORD)
    with repository.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("ADA@example.com", PASSWORD) is not None
    assert accounts.authenticate("ada@example.com", PASSWORD + "x") is None
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None
    assert accounts.authenticate("' OR 1=1 --", PASSWORD) is None
    with pytest.raises(AccountError, match="at least"):
        accounts.set_password("ada@example.com", "short")


def test_a_user_without_a_password_cannot_sign_in(accounts: Accounts) -> None:
    accounts.create("ada@example.com", "viewer")
    assert accounts.authenticate("ada@example.com", "") is None


def test_tokens_are_shown_once_stored_as_digests_and_revocable(
    accounts: Accounts, repository: Repository
) -> None:
    accounts.create("ada@example.com", "viewer")
    tokens = Tokens(repository, accounts)
    made = tokens.create("ada@example.com", "laptop")
    assert made.token.startswith("fnt_") and made.info.active
    with repository.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_tokens")).scalar_one()
    assert made.token not in stored
    used = tokens.authenticate(made.token)
    assert used is not None and used.email == "ada@example.com"
    assert tokens.authenticate(made.token + "x") is None
    tokens.revoke(made.info.id)
    assert tokens.authenticate(made.token) is None
    assert not tokens.list(email="ada@example.com")[0].active


def test_a_user_can_revoke_only_their_own_tokens(
    accounts: Accounts, repository: Repository
) -> None:
    ada = accounts.create("ada@example.com", "viewer")
    bob = accounts.create("bob@example.com", "viewer")
    tokens = Tokens(repository, accounts)
    made = tokens.create("ada@example.com", "laptop")
    with pytest.raises(AccountError, match="no token"):
        tokens.revoke(made.info.id, user_id=bob.id)
    assert tokens.revoke(made.info.id, user_id=ada.id).revoked_at is not None


def test_removing_a_user_ends_their_sessions_and_tokens(
    accounts: Accounts, repository: Repository
) -> None:
    ada = accounts.create("ada@example.com", "viewer")
    tokens = Tokens(repository, accounts)
    sessions = Sessions(repository, max_age=timedelta(days=1))
    made = tokens.create("ada@example.com", "laptop")
    session = sessions.create(ada.id)
    accounts.remove("ada@example.com")
    assert tokens.authenticate(made.token) is None
    assert sessions.get(session.cookie) is None


def test_sessions_end_and_expire(accounts: Accounts, repository: Repository) -> None:
    ada = accounts.create("ada@example.com", "viewer")
    sessions = Sessions(repository, max_age=timedelta(days=1))
    first, second = sessions.create(ada.id), sessions.create(ada.id)
    assert first.cookie != second.cookie and first.info.csrf_token != second.info.csrf_token
    found = sessions.get(first.cookie)
    assert found is not None and found.user_id == ada.id
    assert sessions.end(first.cookie)
    assert sessions.get(first.cookie) is None and sessions.get(second.cookie) is not None
    assert sessions.end_all(ada.id) == 1
    expired = Sessions(repository, max_age=timedelta(seconds=-1)).create(ada.id)
    assert sessions.get(expired.cookie) is None
    with repository.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM web_sessions")).scalar_one() == 0


def test_audit_log_keeps_entries_newest_first_and_filters_by_project(
    repository: Repository,
) -> None:
    repository.ensure_ready(auto_create=True)
    audit = AuditLog(repository)
    audit.record(actor="cli:root", action="user.create", target="ada@example.com")
    audit.record(
        actor="user:ada@example.com",
        action="personal_data.read",
        project="shop",
        target="events",
        detail={"rows": 20, "note": "<script>"},
        ip="127.0.0.1",
    )
    audit.record(actor="user:ada@example.com", action="member.set_role", project="bank")
    newest = audit.entries()
    assert [e.action for e in newest] == ["member.set_role", "personal_data.read", "user.create"]
    shop = audit.entries(project="shop")
    assert len(shop) == 1 and shop[0].detail == {"rows": 20, "note": "<script>"}
    assert shop[0].at.tzinfo is not None
    assert [e.action for e in audit.entries(project="shop", include_instance=True)] == [
        "personal_data.read",
        "user.create",
    ]
