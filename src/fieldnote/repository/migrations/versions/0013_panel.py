"""panel: participants (imported contacts and identified persons), personas, study
screeners and incentives

A participant is keyed by email (re-imports upsert) and, when they use the product,
by distinct_id. Erasure keeps the row as a tombstone (``erased_at``, ``pseudonym``)
with every personal column emptied, so incentives and the audit still add up.

Revision ID: 0013_panel
Revises: 0012_search
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_panel"
down_revision = "0012_search"
branch_labels = None
depends_on = None


def _project() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "project_id",
        sa.Integer(),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("company", sa.String(200), nullable=True),
        sa.Column("role", sa.String(200), nullable=True),
        sa.Column("company_size", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("custom", sa.Text(), nullable=False),
        sa.Column("distinct_id", sa.String(200), nullable=True),
        sa.Column("customer", sa.Boolean(), nullable=False),
        sa.Column("from_events", sa.Boolean(), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "email", name="uq_participants_email"),
        sa.UniqueConstraint("project_id", "distinct_id", name="uq_participants_distinct_id"),
    )
    op.create_table(
        "personas",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_personas_name"),
    )
    op.create_table(
        "study_screeners",
        sa.Column(
            "study_id",
            sa.Integer(),
            sa.ForeignKey("studies.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "incentives",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column(
            "participant_id",
            sa.Integer(),
            sa.ForeignKey("participants.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "study_id",
            sa.Integer(),
            sa.ForeignKey("studies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("participant_id", "study_id", name="uq_incentives_participant_study"),
    )


def downgrade() -> None:
    op.drop_table("incentives")
    op.drop_table("study_screeners")
    op.drop_table("personas")
    op.drop_table("participants")
