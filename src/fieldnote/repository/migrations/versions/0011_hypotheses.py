"""hypotheses: candidate answers to a question, their evidence and status history

Revision ID: 0011_hypotheses
Revises: 0010_releases
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_hypotheses"
down_revision = "0010_releases"
branch_labels = None
depends_on = None


def _hypothesis_fk() -> sa.Column[int]:
    return sa.Column(
        "hypothesis_id",
        sa.Integer(),
        sa.ForeignKey("hypotheses.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "hypotheses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("questions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_hypotheses_question_id", "hypotheses", ["question_id"])
    op.create_table(
        "hypothesis_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        _hypothesis_fk(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("linked_by", sa.String(320), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("hypothesis_id", "kind", "ref", name="uq_hypothesis_evidence"),
    )
    op.create_index(
        "ix_hypothesis_evidence_hypothesis_id", "hypothesis_evidence", ["hypothesis_id"]
    )
    op.create_table(
        "hypothesis_status_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _hypothesis_fk(),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_hypothesis_status_changes_hypothesis_id",
        "hypothesis_status_changes",
        ["hypothesis_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_hypothesis_status_changes_hypothesis_id", table_name="hypothesis_status_changes"
    )
    op.drop_table("hypothesis_status_changes")
    op.drop_index("ix_hypothesis_evidence_hypothesis_id", table_name="hypothesis_evidence")
    op.drop_table("hypothesis_evidence")
    op.drop_index("ix_hypotheses_question_id", table_name="hypotheses")
    op.drop_table("hypotheses")
