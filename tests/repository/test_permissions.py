"""The permission table: who may do what in a project (pure: no database)."""

from __future__ import annotations

import pytest

from fieldnote.repository import ROLE_PERMISSIONS, Permission, Role, UserAccess, can


def _user(everywhere: Role | None = None, **roles: Role) -> UserAccess:
    return UserAccess(user_id=1, email="a@b.co", all_projects_role=everywhere, project_roles=roles)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, {Permission.VIEW_PROJECT}),
        (
            Role.RESEARCHER,
            {Permission.VIEW_PROJECT, Permission.READ_PERSONAL_DATA, Permission.WRITE_RESEARCH},
        ),
        (Role.ADMIN, set(Permission)),
    ],
)
def test_each_role_gets_exactly_its_permissions(role: Role, allowed: set[Permission]) -> None:
    user = _user(shop=role)
    assert {p for p in Permission if can(user, "shop", p)} == allowed
    assert ROLE_PERMISSIONS[role] == allowed


def test_viewers_never_read_personal_data() -> None:
    assert not can(_user(shop=Role.VIEWER), "shop", Permission.READ_PERSONAL_DATA)
    assert not can(_user(Role.VIEWER), "any", Permission.READ_PERSONAL_DATA)


def test_a_role_in_one_project_grants_nothing_in_another() -> None:
    user = _user(shop=Role.ADMIN)
    assert not any(can(user, "bank", p) for p in Permission)


def test_nobody_can_do_anything() -> None:
    assert not any(can(None, "shop", p) for p in Permission)


def test_an_instance_wide_role_applies_everywhere_and_a_project_role_only_raises_it() -> None:
    user = _user(Role.RESEARCHER, shop=Role.VIEWER, bank=Role.ADMIN)
    assert user.role_in("shop") is Role.RESEARCHER
    assert user.role_in("bank") is Role.ADMIN
    assert user.role_in("new-project") is Role.RESEARCHER
    assert can(user, "shop", Permission.READ_PERSONAL_DATA)
    assert not can(user, "shop", Permission.MANAGE_MEMBERS)
