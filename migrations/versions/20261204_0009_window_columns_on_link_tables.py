"""A date window with an actor, country, tag or type filter as index ranges: the event's span
class, dates and deletion copied into `event_actors`, `event_countries` and `event_tags`, with
partial covering indexes per link table (and per type on `events`) in start and end order.

The copies are filled here in one set-based UPDATE per table, then made NOT NULL (on SQLite
by copying each link table once, as a batch migration does). Afterwards services.rows writes
them with each link, and a row trigger on `events` copies them again whenever an event's
dates or deletion change, whatever writes it. A later batch migration that recreates a link
table on SQLite must drop `event_links_window` first (SQLite refuses to rename a table into
place while a trigger names it) and create it again after.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from timeline_api.models.common import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
LINKS = {"event_actors": "actor_id", "event_countries": "country_code", "event_tags": "tag_id"}
COPIED = ("span_class", "earliest", "latest", "deleted_at")
REQUIRED = {"span_class": sa.SmallInteger(), "earliest": sa.Date(), "latest": sa.Date()}
TYPE_INDEXES = {
    "ix_events_type_window_start": ["type_id", "span_class", "earliest", "latest", "id"],
    "ix_events_type_window_end": ["type_id", "span_class", "latest", "earliest", "id"],
}


def _link_indexes(table: str, key: str) -> dict[str, list[str]]:
    return {
        f"ix_{table}_window_start": [key, "span_class", "earliest", "latest", "event_id"],
        f"ix_{table}_window_end": [key, "span_class", "latest", "earliest", "event_id"],
    }


def _changed(old: str, new: str) -> str:
    differs = "IS NOT" if op.get_bind().dialect.name == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"{old}.{name} {differs} {new}.{name}" for name in COPIED)


def _copies(row: str) -> str:
    """UPDATE statements copying event `row`'s columns into its links."""
    assigned = ", ".join(f"{name} = {row}.{name}" for name in COPIED)
    return " ".join(f"UPDATE {table} SET {assigned} WHERE event_id = {row}.id;" for table in LINKS)


def _sqlite_trigger() -> list[str]:
    return [
        f"CREATE TRIGGER event_links_window AFTER UPDATE OF {', '.join(COPIED)} ON events "
        f"WHEN {_changed('old', 'new')} BEGIN {_copies('new')} END"
    ]


def _postgres_trigger() -> list[str]:
    return [
        "CREATE FUNCTION event_links_window() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_copies('NEW')} RETURN NULL; END $$",
        f"CREATE TRIGGER event_links_window AFTER UPDATE OF {', '.join(COPIED)} ON events "
        f"FOR EACH ROW WHEN ({_changed('OLD', 'NEW')}) EXECUTE FUNCTION event_links_window()",
    ]


def _backfill(table: str, dialect: str) -> None:
    columns = ", ".join(COPIED)
    if dialect == "sqlite":  # one lookup by primary key per link
        op.execute(
            f"UPDATE {table} SET ({columns}) = (SELECT {columns} FROM events "
            f"WHERE events.id = {table}.event_id)"
        )
        return
    assigned = ", ".join(f"{name} = events.{name}" for name in COPIED)
    op.execute(f"UPDATE {table} SET {assigned} FROM events WHERE events.id = {table}.event_id")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, key in LINKS.items():
        with op.batch_alter_table(table) as batch_op:  # plain ADD COLUMNs, no copy
            for name, kind in {**REQUIRED, "deleted_at": UTCDateTime()}.items():
                batch_op.add_column(sa.Column(name, kind, nullable=True))
        _backfill(table, dialect)
        with op.batch_alter_table(table) as batch_op:
            for name, kind in REQUIRED.items():
                batch_op.alter_column(name, existing_type=kind, nullable=False)
        for name, columns in _link_indexes(table, key).items():
            op.create_index(
                name, table, [*columns, "deleted_at"], sqlite_where=LIVE, postgresql_where=LIVE
            )
    for name, columns in TYPE_INDEXES.items():
        op.create_index(
            name, "events", [*columns, "deleted_at"], sqlite_where=LIVE, postgresql_where=LIVE
        )
    for statement in _sqlite_trigger() if dialect == "sqlite" else _postgres_trigger():
        op.execute(statement)
    _analyze(dialect)


def _analyze(dialect: str) -> None:
    """Statistics for the new columns and indexes, where the planner had them for the rest (a
    large import ends with ANALYZE: services.imports). Without them SQLite guesses, and may read
    every event of a type through ix_events_type_window_* to count a few days of starts."""
    if dialect != "sqlite":
        op.execute(f"ANALYZE {', '.join(LINKS)}")
        return
    analyzed = op.get_bind().execute(
        sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    )
    if not analyzed.scalar_one():
        return
    # The link tables were copied: all their indexes lost their statistics.
    for name in [*LINKS, *TYPE_INDEXES]:
        op.execute(f"ANALYZE {name}")


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS event_links_window"
        + ("" if op.get_bind().dialect.name == "sqlite" else " ON events")
    )
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS event_links_window()")
    for name in TYPE_INDEXES:
        op.drop_index(name, table_name="events")
    for table, key in LINKS.items():
        for name in _link_indexes(table, key):
            op.drop_index(name, table_name=table)
        with op.batch_alter_table(table) as batch_op:
            for name in COPIED:
                batch_op.drop_column(name)
