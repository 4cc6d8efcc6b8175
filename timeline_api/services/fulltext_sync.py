"""Keeping the full-text index in step with a bulk write, in bulk.

SQLite: revision 0002's trigger indexes each inserted event on its own, which costs about
twenty times what one `INSERT ... SELECT` into the FTS5 table costs per event. Inside the
import's transaction the insert trigger is dropped, the new events are indexed at once, and the
trigger is made again from its own stored SQL; DDL is transactional in SQLite, so a failure or
a kill rolls all of it back. Updates keep their trigger: bulk loads mostly insert.

PostgreSQL: the tsvector is a generated column with a GIN index; nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

TRIGGER = "events_fts_insert"
# A bigger page cache for the import's connection: index pages of a growing table stay in
# memory (SQLite's default is 2 MB). Counted in the 500 MB an import may use; SQLite's sorts
# (an index built at the end of a first load) may take as much again. 128 MiB put a 1M import
# at 489 MiB; at 100k, 64 MiB costs no time.
CACHE_KIB = 64 * 1024


@contextmanager
def deferred(session: Session) -> Iterator[None]:
    """Index the events inserted inside the block once, at its end (same transaction)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    _begin(session)
    found = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": TRIGGER},
    ).scalar()
    if found is None:  # not migrated that far, or made otherwise: leave it be
        yield
        return
    first = connection.execute(text("SELECT coalesce(max(id), 0) FROM events")).scalar_one()
    cache = connection.execute(text("PRAGMA cache_size")).scalar_one()
    connection.execute(text(f"PRAGMA cache_size = -{CACHE_KIB}"))
    connection.execute(text(f"DROP TRIGGER {TRIGGER}"))
    yield
    connection.execute(
        text(
            "INSERT INTO events_fts (rowid, search_text) "
            "SELECT id, search_text FROM events WHERE id > :first"
        ),
        {"first": first},
    )
    connection.execute(text(found))
    connection.execute(text(f"PRAGMA cache_size = {int(cache)}"))


def _begin(session: Session) -> None:
    """Make sure a transaction is open: Python's sqlite3 opens one before DML, never before
    DDL, and a DROP TRIGGER outside a transaction would be committed at once."""
    raw = session.connection().connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        session.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 0"))
