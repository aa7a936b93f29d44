"""artifacts: opportunities (RICE backlog items) and job stories

Opportunities keep what the team entered (theme, segment, effort) and the last
computed RICE components with their sources; job stories keep the three parts of
"When …, I want to …, so I can …" and their evidence references. Search documents
gain the participant they came from, so search can filter by a segment's people.

Revision ID: 0017_artifacts
Revises: 0016_affinity
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_artifacts"
down_revision = "0016_affinity"
branch_labels = None
depends_on = None


def _project() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("book", sa.String(200), nullable=True),
        sa.Column("theme", sa.String(32), nullable=True),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("segment", sa.String(100), nullable=True),
        sa.Column("effort", sa.Float(), nullable=False),
        sa.Column("validation", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("components", sa.Text(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_opportunities_name"),
    )
    op.create_index("ix_opportunities_project_id", "opportunities", ["project_id"])
    op.create_table(
        "job_stories",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_job_stories_project_id", "job_stories", ["project_id"])
    op.add_column("search_documents", sa.Column("participant", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("search_documents") as batch:
        batch.drop_column("participant")
    op.drop_index("ix_job_stories_project_id", table_name="job_stories")
    op.drop_table("job_stories")
    op.drop_index("ix_opportunities_project_id", table_name="opportunities")
    op.drop_table("opportunities")
