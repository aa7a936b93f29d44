"""digest: reserved slot in the migration chain (filled by the change that needs it)

Revision ID: 0018_digest
Revises: 0017_artifacts
Create Date: 2026-11-30
"""

revision = "0018_digest"
down_revision = "0017_artifacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
