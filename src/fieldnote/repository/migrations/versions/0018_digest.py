"""digest: weekly digests sent, one row per project and ISO week (idempotent sending)

Revision ID: 0018_digest
Revises: 0017_artifacts
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_digest"
down_revision = "0017_artifacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests_sent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "week", name="uq_digests_sent_week"),
    )
    op.create_index("ix_digests_sent_project_id", "digests_sent", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_digests_sent_project_id", table_name="digests_sent")
    op.drop_table("digests_sent")
