"""search: one document table for the research repository's full-text search

SQLite gets an FTS5 external-content table over it; PostgreSQL a GIN index on the
stored English tsvector of the body. Both are filled by ``SearchStore.reindex``.

Revision ID: 0012_search
Revises: 0011_hypotheses
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_search"
down_revision = "0011_hypotheses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("interview_id", sa.String(32), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("study_id", sa.Integer(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_search_documents_project_id", "search_documents", ["project_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "body, content='search_documents', content_rowid='id', "
            "tokenize='porter unicode61')"
        )
    else:
        # a stored tsvector: ranking reads it instead of re-parsing every matching body
        op.execute(
            "ALTER TABLE search_documents ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED"
        )
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING GIN (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP INDEX ix_search_documents_tsv")
    op.drop_index("ix_search_documents_project_id", table_name="search_documents")
    op.drop_table("search_documents")
