"""delivery: a study's interview setup and shareable link; per-invitation email/link delivery

``study_delivery`` holds what a study's participants are sent to (guide, moderator,
the offer shown to them) and its shareable link (only the token's SHA-256, when it
was made and closed, how often it was opened). ``invitation_deliveries`` holds, per
invitation, the address, the personal link's token hash, its expiry, when it was
opened and used, and each send's outcome (attempts, last error).

Revision ID: 0014_delivery
Revises: 0013_panel
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_delivery"
down_revision = "0013_panel"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_delivery",
        sa.Column(
            "study_id",
            sa.Integer(),
            sa.ForeignKey("studies.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("guide", sa.String(100), nullable=False),
        sa.Column("guide_version", sa.Integer(), nullable=True),
        sa.Column("moderator", sa.String(32), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("share_token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("share_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("share_closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("share_views", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "invitation_deliveries",
        sa.Column(
            "invitation_id",
            sa.Integer(),
            sa.ForeignKey("invitations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("chat_hash", sa.String(64), nullable=True, index=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("invitation_deliveries")
    op.drop_table("study_delivery")
