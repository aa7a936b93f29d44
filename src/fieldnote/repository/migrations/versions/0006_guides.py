"""interview guides, versioned

Revision ID: 0006_guides
Revises: 0005_interviews
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_guides"
down_revision = "0005_interviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview_guides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", "version", name="uq_interview_guides_version"),
    )
    op.create_index("ix_interview_guides_project_id", "interview_guides", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_interview_guides_project_id", table_name="interview_guides")
    op.drop_table("interview_guides")
