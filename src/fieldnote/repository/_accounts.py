"""Accounts: users, their passwords (argon2id) and their roles per project.

A membership without a project is an instance-wide role (every project, also those
created later): that is how the first admin is made. Emails are lower-cased on the
way in so one person has one account, and so one rate-limit bucket.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Membership, Project, User
from fieldnote.repository._permissions import Role, UserAccess

__all__ = ["AccountError", "Accounts", "MemberInfo", "UserInfo", "normalize_email"]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown accounts, so they take as long as known ones.

    Made on first use, not at import: argon2 costs ~0.15 s, which every CLI command
    would otherwise pay at start-up.
    """
    return _HASHER.hash(secrets.token_urlsafe(16))


MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account request that cannot be honoured (bad email, unknown user, ...)."""


@dataclass(frozen=True, kw_only=True)
class MemberInfo:
    """One role of a user: in ``project``, or in every project when it is None."""

    project: str | None
    role: Role


@dataclass(frozen=True, kw_only=True)
class UserInfo:
    id: int
    email: str
    has_password: bool
    created_at: datetime
    memberships: tuple[MemberInfo, ...] = ()


def normalize_email(email: str) -> str:
    """Lower-cased, trimmed; raises AccountError unless it looks like an address."""
    value = email.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise AccountError(f"{email!r} is not a valid email address")
    return value


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise AccountError(f"unknown role {value!r} (roles: {known})") from None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")


class Accounts:
    """Create users, set roles and passwords, check sign-ins, load access for ``can``."""

    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    # -- users -------------------------------------------------------------------------

    def create(
        self, email: str, role: str, *, project: str | None = None, password: str | None = None
    ) -> UserInfo:
        """A new user with one role (in ``project``, or in every project)."""
        address = normalize_email(email)
        parsed = _role(role)
        if password is not None:
            check_password(password)
        try:
            with self._repo.session() as s:
                project_id = self._project_id(s, project)
                user = User(
                    email=address,
                    password_hash=_HASHER.hash(password) if password is not None else None,
                )
                s.add(user)
                s.flush()
                s.add(Membership(user_id=user.id, project_id=project_id, role=parsed.value))
        except IntegrityError as exc:
            raise AccountError(f"a user with email {address!r} already exists") from exc
        return self.require(address)

    def get(self, email: str) -> UserInfo | None:
        try:
            address = normalize_email(email)
        except AccountError:
            return None
        with self._repo.session() as s:
            user = s.scalar(select(User).where(User.email == address))
            return self._info(s, user) if user else None

    def get_by_id(self, user_id: int) -> UserInfo | None:
        with self._repo.session() as s:
            user = s.get(User, user_id)
            return self._info(s, user) if user else None

    def require(self, email: str) -> UserInfo:
        found = self.get(email)
        if found is None:
            raise AccountError(f"no user with email {email.strip().lower()!r}")
        return found

    def list(self, *, project: str | None = None) -> list[UserInfo]:
        """Every user, or the members of ``project`` (instance-wide roles included)."""
        with self._repo.session() as s:
            users = [self._info(s, u) for u in s.scalars(select(User).order_by(User.email))]
        if project is None:
            return users
        return [u for u in users if any(m.project in (None, project) for m in u.memberships)]

    def remove(self, email: str) -> UserInfo:
        """Delete a user: their memberships, sessions and tokens go with them."""
        info = self.require(email)
        with self._repo.session() as s:
            s.execute(delete(User).where(User.id == info.id))
        return info

    # -- roles -------------------------------------------------------------------------

    def set_role(self, email: str, role: str, *, project: str | None = None) -> UserInfo:
        """Give ``email`` ``role`` in ``project`` (or everywhere), replacing any there."""
        info = self.require(email)
        parsed = _role(role)
        with self._repo.session() as s:
            project_id = self._project_id(s, project)
            existing = s.scalar(
                select(Membership).where(Membership.user_id == info.id, _project_clause(project_id))
            )
            if existing is None:
                s.add(Membership(user_id=info.id, project_id=project_id, role=parsed.value))
            else:
                existing.role = parsed.value
        return self.require(email)

    def remove_role(self, email: str, *, project: str | None = None) -> UserInfo:
        """Take away the role in ``project`` (or the instance-wide one); keeps the user."""
        info = self.require(email)
        with self._repo.session() as s:
            project_id = self._project_id(s, project)
            result = s.execute(
                delete(Membership).where(Membership.user_id == info.id, _project_clause(project_id))
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                where = f"project {project!r}" if project else "all projects"
                raise AccountError(f"{info.email} has no role in {where}")
        return self.require(email)

    def access(self, user_id: int) -> UserAccess | None:
        """The user's roles in the shape ``can`` takes; None for an unknown user."""
        with self._repo.session() as s:
            user = s.get(User, user_id)
            if user is None:
                return None
            rows = s.execute(
                select(Membership.role, Project.name)
                .select_from(Membership)
                .outerjoin(Project, Project.id == Membership.project_id)
                .where(Membership.user_id == user_id)
            ).all()
        everywhere = [Role(r) for r, p in rows if p is None]
        return UserAccess(
            user_id=user.id,
            email=user.email,
            all_projects_role=max(everywhere, key=lambda r: r.rank) if everywhere else None,
            project_roles={p: Role(r) for r, p in rows if p is not None},
        )

    # -- passwords ---------------------------------------------------------------------

    def set_password(self, email: str, password: str) -> UserInfo:
        info = self.require(email)
        check_password(password)
        with self._repo.session() as s:
            user = s.get(User, info.id)
            assert user is not None
            user.password_hash = _HASHER.hash(password)
        return self.require(email)

    def authenticate(self, email: str, password: str) -> UserInfo | None:
        """The user when ``password`` is theirs; None otherwise (same cost either way)."""
        try:
            address = normalize_email(email)
        except AccountError:
            address = None
        with self._repo.session() as s:
            user = s.scalar(select(User).where(User.email == address)) if address else None
            stored = user.password_hash if user is not None else None
            try:
                _HASHER.verify(stored or _dummy_hash(), password)
            except (VerificationError, InvalidHashError):
                return None
            if user is None or stored is None:
                return None
            if _HASHER.check_needs_rehash(stored):
                user.password_hash = _HASHER.hash(password)
            return self._info(s, user)

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _project_id(s: Session, project: str | None) -> int | None:
        if project is None:
            return None
        pid = s.scalar(select(Project.id).where(Project.name == project))
        if pid is None:
            raise AccountError(f"no project named {project!r}")
        return pid

    @staticmethod
    def _info(s: Session, user: User) -> UserInfo:
        rows = s.execute(
            select(Membership.role, Project.name)
            .select_from(Membership)
            .outerjoin(Project, Project.id == Membership.project_id)
            .where(Membership.user_id == user.id)
            .order_by(Project.name)
        ).all()
        return UserInfo(
            id=user.id,
            email=user.email,
            has_password=user.password_hash is not None,
            created_at=user.created_at,
            memberships=tuple(MemberInfo(project=p, role=Role(r)) for r, p in rows),
        )


def _project_clause(project_id: int | None):  # type: ignore[no-untyped-def]
    if project_id is None:
        return Membership.project_id.is_(None)
    return Membership.project_id == project_id
