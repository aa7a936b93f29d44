"""Evidence tests that store releases run on SQLite and on PostgreSQL, like every
repository test (the fixture is the repository tests' own)."""

from tests.repository.conftest import repository

__all__ = ["repository"]
