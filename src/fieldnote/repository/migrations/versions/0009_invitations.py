"""Intercept rules, invitations, versioned consent texts and consent records

Revision ID: 0009_invitations
Revises: 0008_interview_sessions
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_invitations"
down_revision = "0008_interview_sessions"
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
        "intercept_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_intercept_rules_name"),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column(
            "rule_id",
            sa.Integer(),
            sa.ForeignKey("intercept_rules.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "study_id",
            sa.Integer(),
            sa.ForeignKey("studies.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("distinct_id", sa.String(200), nullable=False, index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("session_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "consent_texts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column(
            "study_id", sa.Integer(), sa.ForeignKey("studies.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recording", sa.Text(), nullable=False),
        sa.Column("data_use", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("distinct_id", sa.String(200), nullable=False, index=True),
        sa.Column(
            "text_id",
            sa.Integer(),
            sa.ForeignKey("consent_texts.id", ondelete="RESTRICT"),
            nullable=True,
        ),
        sa.Column(
            "invitation_id",
            sa.Integer(),
            sa.ForeignKey("invitations.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("recording", sa.Boolean(), nullable=False),
        sa.Column("data_use", sa.Boolean(), nullable=False),
        sa.Column("contact", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("consent_records")
    op.drop_table("consent_texts")
    op.drop_table("invitations")
    op.drop_table("intercept_rules")
