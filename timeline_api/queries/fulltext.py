"""The database side of full-text search: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, column, exists, func, literal_column, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from timeline_api.models import Event
from timeline_api.search import Query

T = TypeVar("T")

# The FTS5 table (migration 0002); its rowid is the event id, `rank` its bm25 score.
EVENTS_FTS = table("events_fts", column("rowid"), column("rank"))
SEARCH_VECTOR: ColumnElement[Any] = literal_column("events.search_vector")


def _tsquery(query: Query) -> ColumnElement[Any]:
    return func.to_tsquery("simple", query.tsquery())


# How a statement meets the search, by how many events match (see `plan`):
# "joined": from the full-text index's matches, then sorted (few matches);
# "listed": the matches' ids listed once, then the order's index walked (some thousands);
# "probed": the order's index walked, each event asked whether it matches (very many).
PLANS = ("joined", "listed", "probed")
FEW, SOME = 2_000, 10_000


def plan(matches: int) -> str:
    """The cheapest plan for a search with `matches` matches (at most SOME + 1 counted).

    Walking the date order finds a page after about limit * events / matches rows: cheap
    when the matches are many; listing them costs their number: cheap when they are few.
    """
    if matches <= FEW:
        return "joined"
    return "listed" if matches <= SOME else "probed"


def matching(
    statement: Select[T], query: Query | None, dialect: str, how: str = "joined"
) -> Select[T]:
    """Only events holding every term of `query` (None: of the bind parameter `search`)."""
    searched: Any = bindparam("search") if query is None else expression(query, dialect)
    if dialect != "sqlite":  # PostgreSQL's planner chooses between these plans itself
        return statement.where(SEARCH_VECTOR.op("@@")(func.to_tsquery("simple", searched)))
    matched = literal_column("events_fts").op("MATCH")(searched)
    if how == "listed":  # `id + 0`: not a key to look rows up by, so the order's index is walked
        return statement.where((Event.id + 0).in_(select(EVENTS_FTS.c.rowid).where(matched)))
    if how == "probed":
        return statement.where(
            exists(select(EVENTS_FTS.c.rowid).where(matched, EVENTS_FTS.c.rowid == Event.id))
        )
    return statement.join(EVENTS_FTS, EVENTS_FTS.c.rowid == Event.id).where(matched)


def _matched(query: Query, dialect: str) -> tuple[Select[Any], Any]:
    """The ids of the events holding every term, from the search index alone; the id column."""
    if dialect == "sqlite":
        matched = literal_column("events_fts").op("MATCH")(query.fts5())
        return select(EVENTS_FTS.c.rowid).where(matched), EVENTS_FTS.c.rowid
    return matching(select(Event.id), query, dialect), Event.id


def matches_up_to(session: Session, query: Query, limit: int) -> int:
    """How many events hold every term, counted up to `limit` (deleted ones included)."""
    ids, _ = _matched(query, session.get_bind().dialect.name)
    return session.scalar(select(func.count()).select_from(ids.limit(limit).subquery())) or 0


def deleted_matches(session: Session, query: Query) -> int:
    """How many deleted events hold every term: what `matches_up_to` counted in excess
    (through the small index of deleted events, ix_events_deleted)."""
    ids, id_column = _matched(query, session.get_bind().dialect.name)
    deleted = select(Event.id).where(Event.deleted_at.is_not(None))
    in_deleted = ids.where(id_column.in_(deleted))
    return session.scalar(select(func.count()).select_from(in_deleted.subquery())) or 0


def ranked(query: Query) -> Select[Any]:
    """SQLite: the ids of the live events holding every term, best first (bm25, then id),
    from the full-text index alone; for a search with no other filter."""
    matched = literal_column("events_fts").op("MATCH")(query.fts5())
    deleted = select(Event.id).where(Event.deleted_at.is_not(None))
    return (
        select(EVENTS_FTS.c.rowid)
        .where(matched, EVENTS_FTS.c.rowid.not_in(deleted))
        .order_by(EVENTS_FTS.c.rank, EVENTS_FTS.c.rowid)
    )


def estimate(session: Session, query: Query, events: int) -> int:
    """About how many of `events` match: counted on a slice of about SOME ids, scaled up.

    For a search too common to count exactly; ids are taken to be spread evenly.
    """
    # Apart: SQLite reads min() or max() of a key from the index's end only when alone.
    lowest: int | None = session.scalar(select(func.min(Event.id)))
    highest: int | None = session.scalar(select(func.max(Event.id)))
    if lowest is None or highest is None or events == 0:
        return 0
    span = highest - lowest + 1
    width = max(1, span * SOME // events)
    start = lowest + (span - width) // 2
    ids, id_column = _matched(query, session.get_bind().dialect.name)
    sliced = ids.where(id_column.between(start, start + width - 1))
    found: int = session.scalar(select(func.count()).select_from(sliced.subquery())) or 0
    return round(found * span / width)


def expression(query: Query, dialect: str) -> str:
    """The engine's own syntax for `query`."""
    return query.fts5() if dialect == "sqlite" else query.tsquery()


def by_relevance(statement: Select[T], query: Query, dialect: str) -> Select[T]:
    """`statement` (already `matching`) ordered best match first, then by id."""
    if dialect == "sqlite":
        return statement.order_by(EVENTS_FTS.c.rank, Event.id)  # bm25: lower is better
    return statement.order_by(func.ts_rank(SEARCH_VECTOR, _tsquery(query)).desc(), Event.id)
