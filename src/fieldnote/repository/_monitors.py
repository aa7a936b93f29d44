"""Monitors and their signals, per project.

A monitor's definition (metric + rule, or experiment) is JSON the repository does not
interpret (``fieldnote.monitors`` does); a signal is one firing with its evidence.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base, Project

__all__ = [
    "MonitorError",
    "MonitorRecord",
    "MonitorRow",
    "MonitorStore",
    "SignalRecord",
    "SignalRow",
    "aware",
    "project_id",
]

MAX_NAME = 100


def _now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class MonitorRow(Base):
    __tablename__ = "monitors"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_monitors_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(MAX_NAME), nullable=False)
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_result: Mapped[str | None] = mapped_column(Text, nullable=True)


class SignalRow(Base):
    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    monitor_id: Mapped[int] = mapped_column(
        ForeignKey("monitors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    question_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    since: Mapped[str | None] = mapped_column(String(10), nullable=True)
    direction: Mapped[str | None] = mapped_column(String(8), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)
    notified: Mapped[str | None] = mapped_column(Text, nullable=True)


class MonitorError(ValueError):
    """A monitor that cannot be saved or found; the message says why."""


@dataclass(frozen=True, kw_only=True)
class MonitorRecord:
    id: int
    project: str
    name: str
    definition: dict[str, Any]
    enabled: bool
    created_by: str | None
    created_at: datetime
    last_run_at: datetime | None
    last_result: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "name": self.name,
            "definition": self.definition,
            "enabled": self.enabled,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "last_run_at": self.last_run_at.isoformat() if self.last_run_at else None,
            "last_result": self.last_result,
        }


@dataclass(frozen=True, kw_only=True)
class SignalRecord:
    id: int
    project: str
    monitor: str
    question_id: int | None
    fired_at: datetime
    since: date | None
    direction: str | None
    reason: str
    evidence: dict[str, Any]
    notified: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "monitor": self.monitor,
            "question_id": self.question_id,
            "fired_at": self.fired_at.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "direction": self.direction,
            "reason": self.reason,
            "evidence": self.evidence,
            "notified": self.notified,
        }


def project_id(session: Session, project: str, error: type[ValueError]) -> int:
    pid = session.scalar(select(Project.id).where(Project.name == project))
    if pid is None:
        raise error(f"no project named {project!r}")
    return int(pid)


def _monitor(project: str, row: MonitorRow) -> MonitorRecord:
    return MonitorRecord(
        id=row.id,
        project=project,
        name=row.name,
        definition=json.loads(row.definition),
        enabled=row.enabled,
        created_by=row.created_by,
        created_at=aware(row.created_at),
        last_run_at=aware(row.last_run_at) if row.last_run_at else None,
        last_result=json.loads(row.last_result) if row.last_result else None,
    )


def _signal(project: str, monitor: str, row: SignalRow) -> SignalRecord:
    return SignalRecord(
        id=row.id,
        project=project,
        monitor=monitor,
        question_id=row.question_id,
        fired_at=aware(row.fired_at),
        since=date.fromisoformat(row.since) if row.since else None,
        direction=row.direction,
        reason=row.reason,
        evidence=json.loads(row.evidence),
        notified=json.loads(row.notified) if row.notified else None,
    )


class MonitorStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def create(
        self, project: str, name: str, definition: dict[str, Any], *, created_by: str | None
    ) -> MonitorRecord:
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise MonitorError(f"a monitor name has 1 to {MAX_NAME} characters")
        try:
            with self._repo.session() as session:
                row = MonitorRow(
                    project_id=project_id(session, project, MonitorError),
                    name=name,
                    definition=json.dumps(definition, sort_keys=True),
                    enabled=True,
                    created_by=created_by,
                )
                session.add(row)
                session.flush()
                return _monitor(project, row)
        except IntegrityError:
            raise MonitorError(f"project {project!r} already has a monitor {name!r}") from None

    def _row(self, session: Session, project: str, name: str) -> MonitorRow:
        row = session.scalar(
            select(MonitorRow).where(
                MonitorRow.project_id == project_id(session, project, MonitorError),
                MonitorRow.name == name,
            )
        )
        if row is None:
            raise MonitorError(f"project {project!r} has no monitor {name!r}")
        return row

    def get(self, project: str, name: str) -> MonitorRecord:
        with self._repo.session() as session:
            return _monitor(project, self._row(session, project, name))

    def list(self, project: str, *, enabled_only: bool = False) -> list[MonitorRecord]:
        with self._repo.session() as session:
            query = select(MonitorRow).where(
                MonitorRow.project_id == project_id(session, project, MonitorError)
            )
            if enabled_only:
                query = query.where(MonitorRow.enabled.is_(True))
            rows = session.scalars(query.order_by(MonitorRow.name)).all()
            return [_monitor(project, r) for r in rows]

    def delete(self, project: str, name: str) -> None:
        with self._repo.session() as session:
            session.delete(self._row(session, project, name))

    def record_run(self, monitor_id: int, result: dict[str, Any]) -> None:
        self.record_runs([(monitor_id, result)])

    def record_runs(self, runs: builtins.list[tuple[int, dict[str, Any]]]) -> None:
        """Each monitor's latest result, in one transaction (a run of 1,000 monitors
        must not pay 1,000 commits)."""
        if not runs:
            return
        now = _now()
        with self._repo.session() as session:
            for monitor_id, result in runs:
                session.execute(
                    update(MonitorRow)
                    .where(MonitorRow.id == monitor_id)
                    .values(
                        last_run_at=now, last_result=json.dumps(result, sort_keys=True, default=str)
                    )
                )

    def add_signal(
        self,
        monitor: MonitorRecord,
        *,
        reason: str,
        direction: str | None,
        since: date | None,
        evidence: dict[str, Any],
        question_id: int | None,
    ) -> SignalRecord:
        with self._repo.session() as session:
            row = SignalRow(
                project_id=project_id(session, monitor.project, MonitorError),
                monitor_id=monitor.id,
                question_id=question_id,
                since=since.isoformat() if since else None,
                direction=direction,
                reason=reason,
                evidence=json.dumps(evidence, sort_keys=True, default=str),
            )
            session.add(row)
            session.flush()
            return _signal(monitor.project, monitor.name, row)

    def mark_notified(self, signal_id: int, outcome: dict[str, Any]) -> None:
        with self._repo.session() as session:
            row = session.get(SignalRow, signal_id)
            if row is not None:
                row.notified = json.dumps(outcome, sort_keys=True, default=str)

    def signals(
        self,
        project: str,
        *,
        monitor: str | None = None,
        signal_id: int | None = None,
        limit: int = 100,
    ) -> builtins.list[SignalRecord]:
        with self._repo.session() as session:
            query = (
                select(SignalRow, MonitorRow.name)
                .join(MonitorRow, MonitorRow.id == SignalRow.monitor_id)
                .where(SignalRow.project_id == project_id(session, project, MonitorError))
            )
            if monitor is not None:
                query = query.where(MonitorRow.name == monitor)
            if signal_id is not None:
                query = query.where(SignalRow.id == signal_id)
            rows = session.execute(
                query.order_by(SignalRow.fired_at.desc(), SignalRow.id.desc()).limit(limit)
            ).all()
            return [_signal(project, name, row) for row, name in rows]

    def signal(self, project: str, signal_id: int) -> SignalRecord:
        found = self.signals(project, signal_id=signal_id, limit=1)
        if not found:
            raise MonitorError(f"project {project!r} has no signal {signal_id}")
        return found[0]
