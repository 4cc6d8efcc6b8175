"""The floor of an import: what the database alone spends to take in an imported file's rows.

`copy(source, target, events)` moves every row of an imported database into an empty migrated
one with `INSERT ... SELECT` (SQLite: from the source file, attached; PostgreSQL: from the
source's schema in the same database), inside the import's own bulk steps: the secondary
indexes dropped and built again after, the full-text index and the counts made at once, then
the planner statistics refreshed. No row passes through Python, so this is the least time any
loader of this schema takes on this machine: the import's checks, digests and search text
come on top of it.
"""

from __future__ import annotations

import time

from sqlalchemy import Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from timeline_api.db import Base, make_engine
from timeline_api.services import bulk_indexes, event_counts, fulltext_sync, imports

SKIPPED = {"event_counts"}  # made again from the events by event_counts.deferred


def copy(source_url: str, target_url: str, events: int) -> float:
    """Seconds to copy the rows of `source_url` into the empty `target_url` and commit."""
    engine = make_engine(target_url, statement_timeout_ms=0)
    try:
        with Session(engine) as session:
            source = _attach(session, source_url)
            started = time.perf_counter()
            connection = session.connection()
            with (
                fulltext_sync.deferred(session),
                event_counts.deferred(connection),
                bulk_indexes.rebuilt_after(connection, events),
            ):
                for table in Base.metadata.sorted_tables:  # parents first
                    if table.name not in SKIPPED:
                        connection.exec_driver_sql(_copy_rows(table, source))
            session.commit()
            imports._refresh_statistics(session)
            return time.perf_counter() - started
    finally:
        engine.dispose()


def _attach(session: Session, source_url: str) -> str:
    """Where the source's tables are, seen from the target's connection."""
    url = make_url(source_url)
    if url.get_backend_name() == "sqlite":
        session.execute(text("ATTACH DATABASE :path AS source"), {"path": url.database})
        return "source"
    options = str(url.query.get("options", ""))  # -csearch_path=SCHEMA, as bench.datafile sets
    return options.removeprefix("-csearch_path=") or "public"


def _copy_rows(table: Table, source: str) -> str:
    columns = ", ".join(f'"{column.name}"' for column in table.c)
    return f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM {source}."{table.name}"'
