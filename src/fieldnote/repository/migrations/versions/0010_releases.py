"""releases: what shipped when and which rate it targeted

Revision ID: 0010_releases
Revises: 0009_invitations
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_releases"
down_revision = "0009_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("metric", sa.String(50), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("dimensions", sa.Text(), nullable=False),
        sa.Column("window", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_releases_name"),
    )
    op.create_index("ix_releases_project_id", "releases", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_releases_project_id", table_name="releases")
    op.drop_table("releases")
