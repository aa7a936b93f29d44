"""diary: diary studies (definitions, enrolments, one row per scheduled prompt)

Revision ID: 0015_diary
Revises: 0014_delivery
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_diary"
down_revision = "0014_delivery"
branch_labels = None
depends_on = None


def _fk(table: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "diaries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), _fk("projects", "CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("study_id", sa.Integer(), _fk("studies", "SET NULL"), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_diaries_name"),
    )
    op.create_index("ix_diaries_project_id", "diaries", ["project_id"])
    op.create_table(
        "diary_enrolments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("diary_id", sa.Integer(), _fk("diaries", "CASCADE"), nullable=False),
        sa.Column("distinct_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column(
            "consent_record_id", sa.Integer(), _fk("consent_records", "SET NULL"), nullable=True
        ),
        sa.Column("interview_id", sa.String(32), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("diary_id", "distinct_id", name="uq_diary_enrolments_person"),
    )
    op.create_index("ix_diary_enrolments_diary_id", "diary_enrolments", ["diary_id"])
    op.create_table(
        "diary_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enrolment_id", sa.Integer(), _fk("diary_enrolments", "CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("skipped", sa.String(32), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.UniqueConstraint("enrolment_id", "seq", name="uq_diary_entries_seq"),
    )
    op.create_index("ix_diary_entries_enrolment_id", "diary_entries", ["enrolment_id"])
    op.create_index("ix_diary_entries_due_at", "diary_entries", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_diary_entries_due_at", table_name="diary_entries")
    op.drop_index("ix_diary_entries_enrolment_id", table_name="diary_entries")
    op.drop_table("diary_entries")
    op.drop_index("ix_diary_enrolments_diary_id", table_name="diary_enrolments")
    op.drop_table("diary_enrolments")
    op.drop_index("ix_diaries_project_id", table_name="diaries")
    op.drop_table("diaries")
