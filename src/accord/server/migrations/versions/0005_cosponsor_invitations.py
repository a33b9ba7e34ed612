"""Co-sponsorship is an invitation the other delegation accepts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: proposals keep the delegations invited and not yet answering.

    Co-sponsors recorded before it were named without consent; they stay as recorded.
    """
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invited", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    """Undo this revision (open invitations are dropped)."""
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("invited")
