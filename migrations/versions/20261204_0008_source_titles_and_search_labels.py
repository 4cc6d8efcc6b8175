"""Sources say when their title is ours; events' search text holds their labels and stems.

`sources.title_is_descriptive` is added with a plain ALTER TABLE (no batch copy on SQLite).
`events.search_text` is rewritten for every event in the form `search.search_text` now gives
it (stems, and the names of the event's type, tags and actors: see services.search_labels);
the full-text indexes follow it (SQLite's update trigger, PostgreSQL's generated column).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timeline_api.services import search_labels

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sources",
        sa.Column("title_is_descriptive", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    search_labels.reindex_all(op.get_bind())


def downgrade() -> None:
    # search_text keeps its labels and stems: a superset of the words 0006 indexed, so its
    # searches find what they found before.
    op.drop_column("sources", "title_is_descriptive")  # SQLite 3.35+ drops a plain column in place
