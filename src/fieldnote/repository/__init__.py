"""The research repository: transactional, small, full of personal data.

SQLAlchemy 2 models with Alembic migrations; SQLite by default, PostgreSQL by URL.
"""

from fieldnote.repository._db import Repository, RepositoryNotMigratedError
from fieldnote.repository._models import Base, Project
from fieldnote.repository._projects import (
    DEFAULT_PROJECT,
    ProjectCredentials,
    ProjectError,
    ProjectInfo,
    Projects,
)

__all__ = [
    "DEFAULT_PROJECT",
    "Base",
    "Project",
    "ProjectCredentials",
    "ProjectError",
    "ProjectInfo",
    "Projects",
    "Repository",
    "RepositoryNotMigratedError",
]
