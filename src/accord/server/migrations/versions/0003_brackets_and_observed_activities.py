"""Bracketed issues in the chair's text; observed military activities beside notified ones.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PARTY_FK = "fk_notifications_party_id_participants"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="notified", nullable=False)
        )
        batch_op.add_column(sa.Column("party_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(PARTY_FK, "participants", ["party_id"], ["id"])
    # Every notification so far was a delegation's own: the activity is its author's.
    op.execute("UPDATE notifications SET party_id = author_id WHERE party_id IS NULL")

    with op.batch_alter_table("text_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("brackets", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("text_versions", schema=None) as batch_op:
        batch_op.drop_column("brackets")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(PARTY_FK, type_="foreignkey")
        batch_op.drop_column("party_id")
        batch_op.drop_column("kind")
