"""monitors, signals, questions, studies

Revision ID: 0004_monitors
Revises: 0003_segments
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_monitors"
down_revision = "0003_segments"
branch_labels = None
depends_on = None


def _project() -> sa.Column[int]:
    return sa.Column(
        "project_id",
        sa.Integer(),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "monitors",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=True),
        sa.UniqueConstraint("project_id", "name", name="uq_monitors_name"),
    )
    op.create_index("ix_monitors_project_id", "monitors", ["project_id"])
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column(
            "monitor_id",
            sa.Integer(),
            sa.ForeignKey("monitors.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("since", sa.String(10), nullable=True),
        sa.Column("direction", sa.String(8), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("notified", sa.Text(), nullable=True),
    )
    for col in ("project_id", "monitor_id", "question_id"):
        op.create_index(f"ix_signals_{col}", "signals", [col])
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column(
            "monitor_id",
            sa.Integer(),
            sa.ForeignKey("monitors.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("anomaly_key", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("signal_count", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("diagnosed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_questions_project_id", "questions", ["project_id"])
    op.create_index("ix_questions_anomaly_key", "questions", ["anomaly_key"])
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("questions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("quota_min", sa.Integer(), nullable=False),
        sa.Column("quota_max", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_studies_question_id", "studies", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_studies_question_id", table_name="studies")
    op.drop_table("studies")
    op.drop_index("ix_questions_anomaly_key", table_name="questions")
    op.drop_index("ix_questions_project_id", table_name="questions")
    op.drop_table("questions")
    for col in ("project_id", "monitor_id", "question_id"):
        op.drop_index(f"ix_signals_{col}", table_name="signals")
    op.drop_table("signals")
    op.drop_index("ix_monitors_project_id", table_name="monitors")
    op.drop_table("monitors")
