"""Interview tests that store data run on SQLite and on the real PostgreSQL, with the
same ``repository`` fixture as the repository tests."""

from tests.repository.conftest import repository

__all__ = ["repository"]
