"""Software delegations' tokens are no longer stored: the bot runner mints them in memory.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: the plain-text column goes, with every token in it."""
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("bot_token")


def downgrade() -> None:
    """Undo this revision (the column comes back empty: the runner mints new tokens)."""
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bot_token", sa.String(length=64), nullable=True))
