"""An index of the deleted events, so that a search counts its matches in the full-text index
and takes the deleted ones away without looking up every match; and the date indexes made
covering on SQLite (they end with deleted_at, and ix_events_start/end hold type_id), so that
pages and counts of a window, with a type or not, never read the table.

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
LIVE = sa.text("deleted_at IS NULL")
TAIL = ["id", "type_id", "importance", "start_precision"]
BEFORE = {
    "ix_events_start": ["earliest", "latest", "id"],
    "ix_events_end": ["latest", "earliest", "id"],
    "ix_events_window_start": ["span_class", "earliest", "latest", *TAIL],
    "ix_events_window_end": ["span_class", "latest", "earliest", *TAIL],
}
AFTER = {
    "ix_events_start": ["earliest", "latest", "id", "type_id", "deleted_at"],
    "ix_events_end": ["latest", "earliest", "id", "type_id", "deleted_at"],
    "ix_events_window_start": ["span_class", "earliest", "latest", *TAIL, "deleted_at"],
    "ix_events_window_end": ["span_class", "latest", "earliest", *TAIL, "deleted_at"],
}


def _replace(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", columns, sqlite_where=LIVE, postgresql_where=LIVE)


def upgrade() -> None:
    op.create_index(
        "ix_events_deleted", "events", ["id"], sqlite_where=DELETED, postgresql_where=DELETED
    )
    _replace(AFTER)


def downgrade() -> None:
    _replace(BEFORE)
    op.drop_index("ix_events_deleted", table_name="events")
