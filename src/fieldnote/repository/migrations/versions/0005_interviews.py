"""interviews and their utterances (transcripts)

Revision ID: 0005_interviews
Revises: 0004_monitors
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_interviews"
down_revision = "0004_monitors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interviews",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "study_id",
            sa.Integer(),
            sa.ForeignKey("studies.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("participant", sa.String(200), nullable=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("speakers", sa.Text(), nullable=False),
        sa.Column("utterance_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_interviews_project_id", "interviews", ["project_id"])
    op.create_index("ix_interviews_study_id", "interviews", ["study_id"])
    op.create_table(
        "interview_utterances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "interview_id",
            sa.String(32),
            sa.ForeignKey("interviews.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("marks", sa.Text(), nullable=False),
        sa.UniqueConstraint("interview_id", "idx", name="uq_utterances_idx"),
    )
    op.create_index(
        "ix_interview_utterances_interview_id", "interview_utterances", ["interview_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_interview_utterances_interview_id", table_name="interview_utterances")
    op.drop_table("interview_utterances")
    op.drop_index("ix_interviews_study_id", table_name="interviews")
    op.drop_index("ix_interviews_project_id", table_name="interviews")
    op.drop_table("interviews")
