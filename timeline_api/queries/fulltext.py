"""The database side of full-text search: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, column, func, literal_column, table
from sqlalchemy.sql.elements import ColumnElement

from timeline_api.models import Event
from timeline_api.search import Query

T = TypeVar("T")

# The FTS5 table (migration 0002); its rowid is the event id, `rank` its bm25 score.
EVENTS_FTS = table("events_fts", column("rowid"), column("rank"))
SEARCH_VECTOR: ColumnElement[Any] = literal_column("events.search_vector")


def _tsquery(query: Query) -> ColumnElement[Any]:
    return func.to_tsquery("simple", query.tsquery())


def matching(statement: Select[T], query: Query, dialect: str) -> Select[T]:
    """Only events holding every term of `query`."""
    if dialect == "sqlite":
        fts: ColumnElement[Any] = literal_column("events_fts")
        return statement.join(EVENTS_FTS, EVENTS_FTS.c.rowid == Event.id).where(
            fts.op("MATCH")(query.fts5())
        )
    return statement.where(SEARCH_VECTOR.op("@@")(_tsquery(query)))


def by_relevance(statement: Select[T], query: Query, dialect: str) -> Select[T]:
    """`statement` (already `matching`) ordered best match first, then by id."""
    if dialect == "sqlite":
        return statement.order_by(EVENTS_FTS.c.rank, Event.id)  # bm25: lower is better
    return statement.order_by(func.ts_rank(SEARCH_VECTOR, _tsquery(query)).desc(), Event.id)
