"""Full-text search on events: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.

Both index `events.search_text` (folded words, filled by the app on every write). SQLite keeps
its FTS5 table in sync with triggers. A later batch migration that recreates `events` on SQLite
must recreate those triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timeline_api.search import search_text

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE events_fts USING fts5(
        search_text, content='events', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
        INSERT INTO events_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER events_fts_update AFTER UPDATE OF search_text ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO events_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO events_fts(events_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS events_fts_update",
    "DROP TRIGGER IF EXISTS events_fts_delete",
    "DROP TRIGGER IF EXISTS events_fts_insert",
    "DROP TABLE IF EXISTS events_fts",
]
POSTGRES_UP = [
    """ALTER TABLE events ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED""",
    "CREATE INDEX ix_events_search_vector ON events USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_events_search_vector",
    "ALTER TABLE events DROP COLUMN IF EXISTS search_vector",
]


def _backfill() -> None:
    events = sa.table(
        "events",
        sa.column("id"),
        sa.column("title"),
        sa.column("summary"),
        sa.column("text"),
        sa.column("search_text"),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.title, events.c.summary, events.c.text)
    ).all()
    for row in rows:
        connection.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(search_text=search_text(row.title, row.summary, row.text))
        )


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    _backfill()
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("search_text")
