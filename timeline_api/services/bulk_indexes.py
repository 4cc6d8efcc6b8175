"""Secondary indexes built once after a bulk load instead of row by row during it.

Inserting a million events keeps about ten B-trees in step, each insert a random walk down
every one of them; building an index afterwards is one sort. So when a file brings more than
twice as many events as the database holds (the first load of an archive, say), the import
drops the secondary indexes of the tables it fills most and makes them again before its
transaction ends. DDL is transactional on both databases: a failure or a kill leaves the
indexes as they were. Unique indexes stay: the import looks records up by them, and they
refuse duplicates.

On PostgreSQL a dropped index locks its table until the import commits, so readers of those
tables wait for it; that is why this is kept to loads larger than what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Index, Table, func, select

from timeline_api.models import Citation, Event, EventActor, Revision
from timeline_api.models.events import event_countries, event_tags

_MAPPED: tuple[Any, ...] = (Event, EventActor, Citation, Revision)
TABLES: tuple[Table, ...] = (*(model.__table__ for model in _MAPPED), event_countries, event_tags)
SMALLEST = 10_000  # below this many events the indexes stay: rebuilding them would cost more


def secondary() -> list[Index]:
    """The indexes a bulk load drops and builds again: all but the unique ones."""
    return [index for table in TABLES for index in table.indexes if not index.unique]


@contextmanager
def rebuilt_after(connection: Connection, events: int) -> Iterator[None]:
    """Inside the block the secondary indexes are gone, when `events` (how many the file
    holds) is more than twice what is stored; they are made again at its end."""
    stored = connection.execute(select(func.count()).select_from(Event)).scalar_one()
    if events <= 2 * stored or events < SMALLEST:
        yield
        return
    indexes = secondary()
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)
