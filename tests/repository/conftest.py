"""The ``repository`` fixture: every repository test runs on SQLite and on PostgreSQL.

PostgreSQL is the real server at 127.0.0.1:5432 (database ``test``); each test gets a
throwaway schema, so tests never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fieldnote.repository import Repository

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    if request.param == "sqlite":
        repo = Repository(f"sqlite:///{tmp_path / 'repo.sqlite'}")
        yield repo
        repo.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    repo = Repository(f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}")
    try:
        yield repo
    finally:
        repo.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
