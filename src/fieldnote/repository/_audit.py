"""The audit log: every change, and every read of personal data, in one table.

Entries are only ever added. ``actor`` says who (``user:<email>``, ``token:<id>:<email>``,
``local-admin``, ``secret-key:<project>``, ``cli:<os user>``) so a reader does not need
the users table to understand an entry, even after the user is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import or_, select

from fieldnote.repository._db import Repository
from fieldnote.repository._models import AuditEntry

__all__ = ["AuditLog", "AuditRecord"]


@dataclass(frozen=True, kw_only=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    project: str | None
    target: str
    detail: dict[str, Any]
    ip: str | None


def _record(e: AuditEntry) -> AuditRecord:
    at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
    return AuditRecord(
        id=e.id,
        at=at,
        actor=e.actor,
        action=e.action,
        project=e.project,
        target=e.target,
        detail=orjson.loads(e.detail),
        ip=e.ip,
    )


class AuditLog:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def record(
        self,
        *,
        actor: str,
        action: str,
        project: str | None = None,
        target: str = "",
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
    ) -> None:
        with self._repo.session() as s:
            s.add(
                AuditEntry(
                    at=datetime.now(UTC),
                    actor=actor[:320],
                    action=action[:64],
                    project=project,
                    target=target[:320],
                    detail=orjson.dumps(detail or {}).decode(),
                    ip=ip[:64] if ip else None,
                )
            )

    def entries(
        self,
        *,
        project: str | None = None,
        include_instance: bool = False,
        limit: int = 100,
        before_id: int | None = None,
    ) -> list[AuditRecord]:
        """Newest first. ``project`` filters (with ``include_instance``, entries that
        name no project, such as sign-ins, come along)."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if project is not None:
            clause = AuditEntry.project == project
            query = query.where(
                or_(clause, AuditEntry.project.is_(None)) if include_instance else clause
            )
        if before_id is not None:
            query = query.where(AuditEntry.id < before_id)
        with self._repo.session() as s:
            return [_record(e) for e in s.scalars(query)]
