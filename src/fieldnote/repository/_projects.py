"""Projects and their two keys.

The *write key* (``phc_``-like, public) is embedded in apps and can only send events.
The *secret key* reads a project's data; only its SHA-256 digest is stored, so a leaked
database does not leak read access.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Project

__all__ = ["DEFAULT_PROJECT", "ProjectCredentials", "ProjectError", "ProjectInfo", "Projects"]

DEFAULT_PROJECT = "default"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class ProjectError(ValueError):
    """A project request that cannot be honoured (bad name, duplicate, unknown)."""


@dataclass(frozen=True, kw_only=True)
class ProjectInfo:
    id: int
    name: str
    write_key: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class ProjectCredentials:
    """What ``projects create`` shows once: the secret key is not kept in clear."""

    name: str
    write_key: str
    secret_key: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(p: Project) -> ProjectInfo:
    return ProjectInfo(id=p.id, name=p.name, write_key=p.write_key, created_at=p.created_at)


class Projects:
    """Create, find and list projects in a repository."""

    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def create(self, name: str) -> ProjectCredentials:
        if not _NAME.match(name):
            raise ProjectError(
                f"project name {name!r} is invalid: use 1-63 lowercase letters, digits, "
                "'-' or '_', starting with a letter or digit"
            )
        creds = ProjectCredentials(
            name=name,
            write_key="fnw_" + secrets.token_urlsafe(24),
            secret_key="fns_" + secrets.token_urlsafe(32),
        )
        try:
            with self._repo.session() as s:
                s.add(
                    Project(
                        name=name,
                        write_key=creds.write_key,
                        secret_key_hash=hash_secret(creds.secret_key),
                    )
                )
        except IntegrityError as exc:
            raise ProjectError(f"a project named {name!r} already exists") from exc
        return creds

    def ensure_default(self) -> ProjectCredentials | None:
        """Create the ``default`` project on first use; None when it already exists."""
        if self.get(DEFAULT_PROJECT) is not None:
            return None
        try:
            return self.create(DEFAULT_PROJECT)
        except ProjectError:
            return None  # created concurrently by another process

    def get(self, name: str) -> ProjectInfo | None:
        with self._repo.session() as s:
            p = s.scalar(select(Project).where(Project.name == name))
            return _info(p) if p else None

    def require(self, name: str) -> ProjectInfo:
        found = self.get(name)
        if found is None:
            known = ", ".join(p.name for p in self.list()) or "none"
            raise ProjectError(f"no project named {name!r} (projects: {known})")
        return found

    def by_write_key(self, write_key: str) -> ProjectInfo | None:
        with self._repo.session() as s:
            p = s.scalar(select(Project).where(Project.write_key == write_key))
            return _info(p) if p else None

    def by_secret_key(self, secret_key: str) -> ProjectInfo | None:
        with self._repo.session() as s:
            p = s.scalar(select(Project).where(Project.secret_key_hash == hash_secret(secret_key)))
            return _info(p) if p else None

    def rotate_secret_key(self, name: str) -> ProjectCredentials:
        """A new secret key for ``name`` (shown once); the old one stops reading at once."""
        info = self.require(name)
        secret = "fns_" + secrets.token_urlsafe(32)
        with self._repo.session() as s:
            p = s.get(Project, info.id)
            assert p is not None
            p.secret_key_hash = hash_secret(secret)
        return ProjectCredentials(name=info.name, write_key=info.write_key, secret_key=secret)

    def list(self) -> list[ProjectInfo]:
        with self._repo.session() as s:
            return [_info(p) for p in s.scalars(select(Project).order_by(Project.name))]
