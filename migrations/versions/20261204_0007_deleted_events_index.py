"""An index of the deleted events, so that a search counts its matches in the full-text index
and takes the deleted ones away without looking up every match.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DELETED = sa.text("deleted_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_events_deleted", "events", ["id"], sqlite_where=DELETED, postgresql_where=DELETED
    )


def downgrade() -> None:
    op.drop_index("ix_events_deleted", table_name="events")
