"""AI-moderated interview sessions (participant links, consent, moderator state)

Revision ID: 0008_interview_sessions
Revises: 0007_theme_books
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_interview_sessions"
down_revision = "0007_theme_books"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("participant", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("interview_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_interview_sessions_project_id", "interview_sessions", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_interview_sessions_project_id", table_name="interview_sessions")
    op.drop_table("interview_sessions")
