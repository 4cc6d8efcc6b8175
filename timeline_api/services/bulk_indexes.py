"""Secondary indexes built once after a bulk load instead of row by row during it.

Inserting a million events keeps about ten B-trees in step, each insert a random walk down
every one of them; building an index afterwards is one sort. So when a file brings more than
twice as many events as the database holds (the first load of an archive, say), the import
drops the secondary indexes of the tables it fills most and makes them again before its
transaction ends. DDL is transactional on both databases: a failure or a kill leaves the
indexes as they were. Unique indexes stay: the import looks records up by them, and they
refuse duplicates.

The indexes are read from the database's own catalogue, with the SQL that made them, so that
those a migration made by hand go too: PostgreSQL's GIN index of the search vector, kept up
row by row, made each COPY of events three times slower than the rows themselves.

On PostgreSQL the foreign keys of those tables go too, and are added again after the indexes:
each row's check is a trigger (about 9 µs a link row, a third of what copying the row costs),
where adding the key back checks every row in one join. The file's references were checked
before anything was written, and adding a key fails on any row that breaks it, which rolls the
whole import back: all or nothing still holds. (SQLite cannot drop a foreign key; its checks
are cheaper, in the same process.)

On PostgreSQL a dropped index locks its table until the import commits, so readers of those
tables wait for it, and a dropped foreign key blocks writes to the table it names (actors, tags,
sources, countries); that is why this is kept to loads larger than what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Index, Table, bindparam, func, select, text

from timeline_api.models import Citation, Event, EventActor, Revision
from timeline_api.models.events import event_countries, event_tags

_MAPPED: tuple[Any, ...] = (Event, EventActor, Citation, Revision)
TABLES: tuple[Table, ...] = (*(model.__table__ for model in _MAPPED), event_countries, event_tags)
SMALLEST = 10_000  # below this many events the indexes stay: rebuilding them would cost more
# Memory for PostgreSQL's sorts while it builds them (its default is 64 MB): in the server,
# for this transaction only.
BUILD_MEMORY = "256MB"

_SQLITE = text(
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
    "AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN :tables ORDER BY name"
).bindparams(bindparam("tables", expanding=True))
_POSTGRESQL = text(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
    "AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename IN :tables ORDER BY indexname"
).bindparams(bindparam("tables", expanding=True))


_FOREIGN_KEYS = text(
    "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
    "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
    "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
    "AND t.relname IN :tables ORDER BY 1, 2"
).bindparams(bindparam("tables", expanding=True))


def secondary() -> list[Index]:
    """The model's indexes a bulk load drops and builds again: all but the unique ones."""
    return [index for table in TABLES for index in table.indexes if not index.unique]


def stored(connection: Connection) -> list[tuple[str, str]]:
    """The non-unique indexes of the bulk tables as the database has them: name and SQL."""
    query = _SQLITE if connection.dialect.name == "sqlite" else _POSTGRESQL
    rows = connection.execute(query, {"tables": [table.name for table in TABLES]})
    return [(name, sql) for name, sql in rows]


def foreign_keys(connection: Connection) -> list[tuple[str, str, str]]:
    """PostgreSQL: the foreign keys of the bulk tables, as (table, name, definition)."""
    if connection.dialect.name != "postgresql":
        return []
    rows = connection.execute(_FOREIGN_KEYS, {"tables": [table.name for table in TABLES]})
    return [(table, name, definition) for table, name, definition in rows]


def is_bulk(connection: Connection, events: int) -> bool:
    """Whether a load of `events` events drops and rebuilds the indexes: more than twice the
    stored events, and at least SMALLEST."""
    if events < SMALLEST:
        return False
    stored = connection.execute(select(func.count()).select_from(Event)).scalar_one()
    return bool(events > 2 * stored)


@contextmanager
def rebuilt_after(connection: Connection, events: int) -> Iterator[None]:
    """Inside the block the secondary indexes (and on PostgreSQL the foreign keys) are gone,
    when `events` (how many the file holds) is more than twice what is stored; they are made
    again at its end."""
    if not is_bulk(connection, events):
        yield
        return
    indexes, keys = stored(connection), foreign_keys(connection)
    quote = connection.dialect.identifier_preparer.quote
    for table, name, _definition in keys:
        connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    for name, _sql in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for _name, sql in indexes:
        connection.exec_driver_sql(sql)
    for table, name, definition in keys:
        connection.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
