"""Synthesis tests that store theme books run on SQLite and PostgreSQL, like the
repository tests (same ``repository`` fixture)."""

from tests.repository.conftest import repository

__all__ = ["repository"]
