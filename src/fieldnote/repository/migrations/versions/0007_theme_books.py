"""theme books: synthesis runs and a researcher's corrections

Revision ID: 0007_theme_books
Revises: 0006_guides
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_theme_books"
down_revision = "0006_guides"
branch_labels = None
depends_on = None


def _book_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "book_id", sa.Integer(), sa.ForeignKey("theme_books.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "theme_books",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_theme_books_name"),
    )
    op.create_index("ix_theme_books_project_id", "theme_books", ["project_id"])
    op.create_table(
        "theme_book_themes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _book_fk(),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("renamed", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.String(32), nullable=True),
        sa.UniqueConstraint("book_id", "theme", name="uq_theme_book_themes_theme"),
    )
    op.create_index("ix_theme_book_themes_book_id", "theme_book_themes", ["book_id"])
    op.create_table(
        "theme_book_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _book_fk(),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("participant", sa.String(200), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("theme", sa.String(32), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.UniqueConstraint("book_id", "note", name="uq_theme_book_notes_note"),
    )
    op.create_index("ix_theme_book_notes_book_id", "theme_book_notes", ["book_id"])


def downgrade() -> None:
    op.drop_index("ix_theme_book_notes_book_id", table_name="theme_book_notes")
    op.drop_table("theme_book_notes")
    op.drop_index("ix_theme_book_themes_book_id", table_name="theme_book_themes")
    op.drop_table("theme_book_themes")
    op.drop_index("ix_theme_books_project_id", table_name="theme_books")
    op.drop_table("theme_books")
