"""Roles and permissions: one table says which role may do what in a project.

Later issues (participants, transcripts, studies) add pages that show personal data;
they ask ``can(user, project, Permission.READ_PERSONAL_DATA)`` instead of comparing
role names, so the rule lives in one place and is tested once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["ROLE_PERMISSIONS", "Permission", "Role", "UserAccess", "can"]


class Role(StrEnum):
    """A user's role in a project. Ordered: each role can do what the previous can."""

    VIEWER = "viewer"
    RESEARCHER = "researcher"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.VIEWER: 0, Role.RESEARCHER: 1, Role.ADMIN: 2}


class Permission(StrEnum):
    """What a request wants to do inside one project."""

    #: Overview, charts, aggregate counts: no single person can be singled out.
    VIEW_PROJECT = "project.view"
    #: Distinct ids, event and person properties, participant contact details,
    #: raw transcripts. Every such read is written to the audit log.
    READ_PERSONAL_DATA = "personal_data.read"
    #: Create and edit research (questions, studies, notes) — later issues.
    WRITE_RESEARCH = "research.write"
    #: Add and remove members, change their roles.
    MANAGE_MEMBERS = "members.manage"
    #: See the write key, rotate the secret key.
    MANAGE_KEYS = "keys.manage"
    #: Read the project's audit log.
    READ_AUDIT = "audit.read"


#: The permission table. Viewers see aggregates only; researchers work with personal
#: data; admins manage people and keys.
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW_PROJECT}),
    Role.RESEARCHER: frozenset(
        {Permission.VIEW_PROJECT, Permission.READ_PERSONAL_DATA, Permission.WRITE_RESEARCH}
    ),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, kw_only=True)
class UserAccess:
    """A user's roles, loaded once per request: the input of ``can``.

    ``all_projects_role`` comes from a membership without a project and applies to
    every project, present and future; a project's own membership can only raise it.
    """

    user_id: int
    email: str
    all_projects_role: Role | None = None
    project_roles: Mapping[str, Role] = field(default_factory=dict)

    def role_in(self, project: str) -> Role | None:
        roles = [r for r in (self.all_projects_role, self.project_roles.get(project)) if r]
        return max(roles, key=lambda r: r.rank) if roles else None

    def can_see_all_projects(self) -> bool:
        return self.all_projects_role is not None


def can(user: UserAccess | None, project: str, permission: Permission) -> bool:
    """Whether ``user`` may do ``permission`` in ``project`` (nobody: never)."""
    if user is None:
        return False
    role = user.role_in(project)
    return role is not None and permission in ROLE_PERMISSIONS[role]
