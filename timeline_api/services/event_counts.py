"""Keeping `event_counts` in step with a bulk import: the new events counted once, at its end.

Revision 0005 keeps the counts with triggers. Through an import of a million events,
PostgreSQL's statement trigger would rewrite every count once per batch (leaving as many dead
rows for vacuum) and SQLite's row trigger would run a million upserts. Inside the import's
transaction the insert trigger stands aside (PostgreSQL: a setting its function reads;
SQLite: dropped and made again from its stored SQL, as DDL is transactional there), and the
inserted events are counted in one statement before the transaction ends. A failure or a kill
rolls all of it back. Updates and deletes keep their triggers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, bindparam, case, extract, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from timeline_api.models import Event, EventCount

DEFER_SETTING = "timeline.defer_event_counts"  # read by revision 0005's PostgreSQL function
SQLITE_TRIGGER = "event_counts_insert"


@contextmanager
def deferred(connection: Connection) -> Iterator[None]:
    """Count the events inserted inside the block once, at its end (same transaction).

    The caller holds a transaction open on `connection` (SQLite: one that has written).
    """
    first = connection.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one()
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL {DEFER_SETTING} = 'on'"))
        yield
        connection.execute(text(f"SET LOCAL {DEFER_SETTING} = 'off'"))
    else:
        stored = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": SQLITE_TRIGGER},
        ).scalar()
        if stored is None:  # not migrated that far: nothing keeps the counts
            yield
            return
        connection.execute(text(f"DROP TRIGGER {SQLITE_TRIGGER}"))
        yield
        connection.execute(text(stored))
    connection.execute(_count_after(connection.dialect.name), {"first": first})


def _count_after(dialect: str) -> Any:
    """Add the live events with ids above `:first` to their counts."""
    year = extract("year", Event.earliest)
    month = case((Event.start_precision == "year", 0), else_=extract("month", Event.earliest))
    new = (
        select(year, month, Event.type_id, func.count())
        .where(Event.id > bindparam("first"), Event.deleted_at.is_(None))
        .group_by(year, month, Event.type_id)
    )
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(EventCount)
    added = insert.from_select(["year", "month", "type_id", "events"], new)
    return added.on_conflict_do_update(
        index_elements=["year", "month", "type_id"],
        set_={"events": EventCount.events + added.excluded.events},
    )
