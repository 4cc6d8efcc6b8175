"""Read path at a million events: partial covering indexes per order and per span class, and
`event_counts`, kept by triggers, for totals and counts that must not scan the events.

SQLite has row triggers only; PostgreSQL gets statement triggers with transition tables, so a
bulk insert updates each count once per statement rather than once per row. A later batch
migration that recreates `events` on SQLite must recreate these triggers (and those of 0002).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
TAIL = ["id", "type_id", "importance", "start_precision"]
NEW_INDEXES = {
    "ix_events_start": ["earliest", "latest", "id"],
    "ix_events_end": ["latest", "earliest", "id"],
    "ix_events_importance": ["importance", "earliest", "id"],
    "ix_events_title": ["title", "id"],
    "ix_events_window_start": ["span_class", "earliest", "latest", *TAIL],
    "ix_events_window_end": ["span_class", "latest", "earliest", *TAIL],
}
OLD_INDEXES = {
    "ix_events_earliest_id": ["earliest", "id"],
    "ix_events_latest_id": ["latest", "id"],
    "ix_events_importance_earliest_id": ["importance", "earliest", "id"],
    "ix_events_span_class_earliest": ["span_class", "earliest"],
}

# The bucket of an event row `r`: its start's year, and month (0 when known only to the year).
SQLITE_KEY = (
    "CAST(substr({r}.earliest, 1, 4) AS INTEGER), "
    "CASE WHEN {r}.start_precision = 'year' THEN 0 "
    "ELSE CAST(substr({r}.earliest, 6, 2) AS INTEGER) END, {r}.type_id"
)
SQLITE_MATCH = (
    "type_id = {r}.type_id "
    "AND year = CAST(substr({r}.earliest, 1, 4) AS INTEGER) "
    "AND month = CASE WHEN {r}.start_precision = 'year' THEN 0 "
    "ELSE CAST(substr({r}.earliest, 6, 2) AS INTEGER) END"
)
SQLITE_ADD = (
    "INSERT INTO event_counts (year, month, type_id, events) "
    "SELECT " + SQLITE_KEY.format(r="new") + ", 1 WHERE new.deleted_at IS NULL "
    "ON CONFLICT DO UPDATE SET events = events + 1;"
)
SQLITE_REMOVE = (
    "UPDATE event_counts SET events = events - 1 "
    "WHERE old.deleted_at IS NULL AND " + SQLITE_MATCH.format(r="old") + ";"
)
SQLITE_UP = [
    f"CREATE TRIGGER event_counts_insert AFTER INSERT ON events BEGIN {SQLITE_ADD} END",
    f"CREATE TRIGGER event_counts_delete AFTER DELETE ON events BEGIN {SQLITE_REMOVE} END",
    "CREATE TRIGGER event_counts_update AFTER UPDATE OF "
    "type_id, earliest, start_precision, deleted_at ON events "
    f"BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS event_counts_update",
    "DROP TRIGGER IF EXISTS event_counts_delete",
    "DROP TRIGGER IF EXISTS event_counts_insert",
]

POSTGRES_KEY = (
    "extract(year FROM earliest)::int AS year, "
    "CASE WHEN start_precision = 'year' THEN 0 ELSE extract(month FROM earliest)::int END "
    "AS month, type_id"
)


def _postgres_function(name: str, old: str, new: str) -> str:
    """One function per trigger kind: a transition table exists only where the kind has it."""
    return f"""
CREATE FUNCTION event_counts_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND current_setting('{DEFER_SETTING}', true) = 'on' THEN
        RETURN NULL;  -- a bulk import counts its new events once, at its end
    END IF;
    INSERT INTO event_counts AS counted (year, month, type_id, events)
    SELECT year, month, type_id, sum(delta)
    FROM (
        SELECT {POSTGRES_KEY}, -1 AS delta FROM {old} WHERE deleted_at IS NULL
        UNION ALL
        SELECT {POSTGRES_KEY}, 1 AS delta FROM {new} WHERE deleted_at IS NULL
    ) AS changed
    GROUP BY year, month, type_id
    HAVING sum(delta) <> 0
    ON CONFLICT (year, month, type_id)
    DO UPDATE SET events = counted.events + excluded.events;
    RETURN NULL;
END $$
"""


# Set (SET LOCAL) by a bulk import, which then counts its inserted events in one statement.
DEFER_SETTING = "timeline.defer_event_counts"
# An empty relation with the events' columns stands in for a missing transition table.
NONE = "(SELECT * FROM events WHERE false) AS none"
POSTGRES_TRIGGERS = {
    # name: (kind, REFERENCING clause, old rows, new rows)
    "insert": ("INSERT", "NEW TABLE AS new_rows", NONE, "new_rows"),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "old_rows", "new_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows", "old_rows", NONE),
}


def _postgres_up() -> list[str]:
    statements = []
    for name, (kind, referencing, old, new) in POSTGRES_TRIGGERS.items():
        statements.append(_postgres_function(name, old, new))
        statements.append(
            f"CREATE TRIGGER event_counts_{name} AFTER {kind} ON events "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION event_counts_{name}()"
        )
    return statements


def _postgres_down() -> list[str]:
    statements = []
    for name in POSTGRES_TRIGGERS:
        statements.append(f"DROP TRIGGER IF EXISTS event_counts_{name} ON events")
        statements.append(f"DROP FUNCTION IF EXISTS event_counts_{name}()")
    return statements


def _backfill(dialect: str) -> None:
    key = SQLITE_KEY.format(r="events") if dialect == "sqlite" else POSTGRES_KEY
    op.execute(
        "INSERT INTO event_counts (year, month, type_id, events) "
        f"SELECT {key}, count(*) FROM events WHERE deleted_at IS NULL "
        "GROUP BY 1, 2, 3"
    )


def upgrade() -> None:
    op.create_table(
        "event_counts",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "month", "type_id", name=op.f("pk_event_counts")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)
        for name, columns in NEW_INDEXES.items():
            batch_op.create_index(name, columns, sqlite_where=LIVE, postgresql_where=LIVE)
    dialect = op.get_bind().dialect.name
    _backfill(dialect)
    for statement in SQLITE_UP if dialect == "sqlite" else _postgres_up():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else _postgres_down():
        op.execute(statement)
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name in NEW_INDEXES:
            batch_op.drop_index(name)
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns)
    op.drop_table("event_counts")
