"""A date window with one actor, country or tag filter, walked on the link table's own copy of
its events' span class, dates and deletion (models.event_window_columns, revision 0009).

Without the copy, such a list either lists the actor's events and checks each one's dates, or
walks the window and checks each event's actors: it costs what the larger side holds. On the
link table, the partial index (actor_id, span_class, earliest, latest, event_id) gives, per span
class, one range holding exactly the actor's live events that can overlap the window, in page
order (see queries.window); a page is the first rows of each range, merged, and the total the
sum of the ranges' counts. Keys are the events list's own (earliest, latest, id) in the same
order, so the cursors are those of the other plans.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Column,
    ColumnElement,
    Select,
    Table,
    bindparam,
    func,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from timeline_api.models import Actor, EventActor, Tag, event_countries, event_tags
from timeline_api.queries import window
from timeline_api.queries.filters import EventFilters
from timeline_api.queries.paging import Order


@dataclass(frozen=True)
class Link:
    """A link table, the column naming the related record, and the filter's values."""

    table: Table
    key: str  # actor_id, country_code, tag_id
    values: str  # the filter's bind parameter (see filters.values)
    model: Any = None  # what the values are slugs of; None: they are the keys themselves
    roles: bool = False  # an event can link one value several times (an actor, in two roles)

    def repeats(self, many: bool) -> bool:
        """Whether an event can have several rows in a range: with roles, or with several of
        the values asked for."""
        return many or self.roles


LINKS = {
    "actor": Link(EventActor.__table__, "actor_id", "actors", Actor, roles=True),  # type: ignore[arg-type]
    "country": Link(event_countries, "country_code", "countries"),
    "tag": Link(event_tags, "tag_id", "tags", Tag),
}
# The orders the window indexes walk; a list sorted otherwise takes the general plan.
WALKED = ("start", "-start", "end", "-end")


def relation(filters: EventFilters) -> str | None:
    """The relation whose link table answers `filters`: when they are a date window and one
    of actors, countries or tags, and nothing else; else None."""
    if filters.first is None and filters.last is None:
        return None
    given = [
        name
        for name, values in (
            ("actor", filters.actors),
            ("country", filters.countries),
            ("tag", filters.tags),
        )
        if values
    ]
    rest = replace(filters, first=None, last=None, actors=(), countries=(), tags=())
    if len(given) != 1 or replace(rest, limit=50, after=None, sort="start") != EventFilters():
        return None
    return given[0]


def is_many(filters: EventFilters, name: str) -> bool:
    """Whether `filters` asks for several values of relation `name` (events with any)."""
    return len(set(getattr(filters, LINKS[name].values))) > 1


def _chosen(link: Link, many: bool) -> ColumnElement[bool]:
    key: Column[Any] = link.table.c[link.key]
    values: BindParameter[Any] = bindparam(link.values, expanding=True)
    if link.model is None:
        return key.in_(values)  # one value: `IN (?)` is an equality to both databases
    ids = select(link.model.id).where(link.model.slug.in_(values))
    # One value as an equality, so that each range comes out of the index in order.
    return key.in_(ids) if many else key == ids.scalar_subquery()


@lru_cache(maxsize=256)
def parts(name: str, first: bool, last: bool, by_end: bool, many: bool) -> tuple[Select[Any], ...]:
    """The link rows of the window's events with one of the values, one statement per span
    class (for paging.keys_statement, with `order`)."""
    found = _ranges(name, first, last, by_end, many)
    if LINKS[name].repeats(many):
        return tuple(part.distinct() for part in found)  # keys, not rows: an event once
    return found


def _ranges(
    name: str, first: bool, last: bool, by_end: bool, many: bool
) -> tuple[Select[Any], ...]:
    link = LINKS[name]
    rows = select(link.table).where(link.table.c.deleted_at.is_(None), _chosen(link, many))
    ranges = window.ranges(first, last, by_end, link.table.c)
    return tuple(rows.where(*one_range) for one_range in ranges)


@lru_cache(maxsize=32)
def order(name: str, walked: Order) -> Order:
    """`walked` (an order of WALKED) on the link table's copies of the events' columns."""
    columns = LINKS[name].table.c
    copies = {"earliest": columns.earliest, "latest": columns.latest, "id": columns.event_id}
    return Order(
        walked.name,
        tuple((copies[column.key], descending) for column, descending in walked.columns),
    )


def total(session: Session, name: str, filters: EventFilters, bound: dict[str, Any]) -> int:
    """How many live events of the window have one of the values: per span class, a count
    on its range (an event has one span class), summed."""
    first, last = filters.first is not None, filters.last is not None
    statement = _summed(name, first, last, is_many(filters, name))
    return session.scalar(statement, bound) or 0


@lru_cache(maxsize=64)
def _summed(name: str, first: bool, last: bool, many: bool) -> Select[Any]:
    link, each = LINKS[name], []
    columns = link.table.c
    for part in _ranges(name, first, last, False, many):
        if link.repeats(many):
            # Distinct keys, not count(DISTINCT event_id): with one value the index gives
            # them in order, so SQLite drops repeats as it walks instead of sorting them.
            keys = part.with_only_columns(columns.earliest, columns.latest, columns.event_id)
            each.append(select(func.count().label("n")).select_from(keys.distinct().subquery()))
        else:
            each.append(part.with_only_columns(func.count().label("n")))
    together = union_all(*each).subquery()
    return select(func.coalesce(func.sum(together.c.n), 0))
