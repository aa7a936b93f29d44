"""affinity: what the affinity map, theme pages and trends read from a theme book

Themes keep the run's keyphrases, sentiment, intensity and kind (the theme page shows
them without re-running synthesis); notes keep their moment in the transcript
(``start_s``) and when their source was recorded (``recorded_at``, for themes over
time); ``theme_book_people`` holds participant attributes (platform, persona, tier...)
for themes per segment.

Revision ID: 0016_affinity
Revises: 0015_diary
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_affinity"
down_revision = "0015_diary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("theme_book_themes") as t:
        t.add_column(sa.Column("keyphrases", sa.Text(), nullable=False, server_default="[]"))
        t.add_column(sa.Column("sentiment", sa.Float(), nullable=True))
        t.add_column(sa.Column("intensity", sa.Float(), nullable=True))
        t.add_column(sa.Column("kind", sa.String(32), nullable=True))
    with op.batch_alter_table("theme_book_notes") as t:
        t.add_column(sa.Column("start_s", sa.Float(), nullable=True))
        t.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "theme_book_people",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "book_id",
            sa.Integer(),
            sa.ForeignKey("theme_books.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("participant", sa.String(200), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.UniqueConstraint("book_id", "participant", name="uq_theme_book_people_participant"),
    )
    op.create_index("ix_theme_book_people_book_id", "theme_book_people", ["book_id"])


def downgrade() -> None:
    op.drop_index("ix_theme_book_people_book_id", table_name="theme_book_people")
    op.drop_table("theme_book_people")
    with op.batch_alter_table("theme_book_notes") as t:
        t.drop_column("recorded_at")
        t.drop_column("start_s")
    with op.batch_alter_table("theme_book_themes") as t:
        t.drop_column("kind")
        t.drop_column("intensity")
        t.drop_column("sentiment")
        t.drop_column("keyphrases")
