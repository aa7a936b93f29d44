"""segment_kinds: reserved slot in the migration chain (filled by the change that needs it)

Revision ID: 0019_segment_kinds
Revises: 0018_digest
Create Date: 2026-11-30
"""

revision = "0019_segment_kinds"
down_revision = "0018_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
