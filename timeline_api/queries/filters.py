"""Which events match a list's filters, as statements the indexes can answer.

Statements are built once per *shape* of the filters (which filters are given, the order
walked, the plan) with bind parameters for the values, and then reused: building a union of
23 index ranges in SQLAlchemy costs more than the database takes to run it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)

from timeline_api.models import (
    Actor,
    AlternativeDate,
    Event,
    EventActor,
    EventType,
    Tag,
    event_countries,
    event_tags,
)
from timeline_api.queries import fulltext, window
from timeline_api.queries.paging import Key
from timeline_api.search import Query


@dataclass(frozen=True)
class EventFilters:
    """What an events list asks for; each tuple filter matches any of its values."""

    first: date | None = None  # the first day of `from`
    last: date | None = None  # the last day of `to`
    types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    search: Query | None = None
    is_disputed: bool | None = None
    min_importance: int | None = None
    # All-of forms: an event must have every one of these (the tuples above: any of them).
    every_actor: tuple[str, ...] = ()
    every_country: tuple[str, ...] = ()
    every_tag: tuple[str, ...] = ()
    sort: str = "start"
    limit: int = 50
    after: Key | None = None


@dataclass(frozen=True)
class Shape:
    """What a statement for some filters depends on, apart from their values."""

    dialect: str
    first: bool
    last: bool
    types: int  # see `type_count`
    related: tuple[str, ...]  # see `related_names`
    search: str  # "" for none, else one of fulltext.PLANS
    by_end: bool = False  # walk the window in end order
    driver: str | None = None  # list from this related filter (see counts.choose_driver)
    min_importance: bool = False
    every: tuple[str, ...] = ()  # the all-of filters used: "actor", "country", "tag"


def shape(
    filters: EventFilters,
    dialect: str,
    by_end: bool = False,
    driver: str | None = None,
    search: str = "joined",
) -> Shape:
    return Shape(
        dialect,
        filters.first is not None,
        filters.last is not None,
        type_count(filters.types),
        related_names(filters),
        search if filters.search is not None else "",
        by_end,
        driver,
        filters.min_importance is not None,
        every_names(filters),
    )


def search_plan(filters: EventFilters, matches: int) -> str:
    """How a search with `matches` matches is best run (see fulltext.plan)."""
    how = fulltext.plan(matches)
    dated = filters.first is not None or filters.last is not None
    # Listed matches cannot use a window's ranges (each range would list them anew).
    return "joined" if how == "listed" and dated else how


def values(filters: EventFilters, dialect: str) -> dict[str, Any]:
    """Every bind parameter the statements of `filters` use."""
    found = window.values(filters.first, filters.last)
    found.update(
        types=list(filters.types),
        actors=list(filters.actors),
        countries=list(filters.countries),
        tags=list(filters.tags),
        min_importance=filters.min_importance,
    )
    for name in every_names(filters):
        wanted = list(dict.fromkeys(getattr(filters, f"every_{name}")))
        found[f"every_{name}"] = wanted
        found[f"every_{name}_count"] = len(wanted)
    if filters.search is not None:
        found["search"] = fulltext.expression(filters.search, dialect)
    return found


def related_names(filters: EventFilters) -> tuple[str, ...]:
    """The filters on related rows that `filters` use."""
    disputed = {True: "disputed", False: "undisputed", None: ""}[filters.is_disputed]
    given = (
        ("actor", bool(filters.actors)),
        ("country", bool(filters.countries)),
        ("tag", bool(filters.tags)),
        (disputed, bool(disputed)),
    )
    return tuple(name for name, used in given if used)


def every_names(filters: EventFilters) -> tuple[str, ...]:
    """The all-of filters that `filters` use."""
    given = (
        ("actor", filters.every_actor),
        ("country", filters.every_country),
        ("tag", filters.every_tag),
    )
    return tuple(name for name, used in given if used)


def rest(shape: Shape) -> list[ColumnElement[bool]]:
    """Importance and the all-of filters: checked on the events the other filters find."""
    found = []
    if shape.min_importance:
        found.append(Event.importance >= bindparam("min_importance", type_=Event.importance.type))
    found += [has_every(name) for name in shape.every]
    return found


@lru_cache(maxsize=1024)
def parts(shape: Shape) -> tuple[Select[Any], ...]:
    """The matching events as statements, each walking one index range (see queries.window).

    With a driver (a search, or one of the related filters), the statement starts from the
    driver's events instead, one part; other related filters are checked event by event.
    """
    statement = select(Event).where(*kept(shape.types), *rest(shape))
    for name in shape.related:
        statement = statement.where(member(name, drive=name == shape.driver))
    if shape.search:
        statement = fulltext.matching(statement, None, shape.dialect, shape.search)
    probing = shape.search == "probed" and shape.dialect == "sqlite"
    if (shape.search and not probing) or shape.driver is not None:
        return (statement.where(*_overlapping(shape)),)
    if not (shape.first or shape.last):
        return (statement,)
    ranges = window.ranges(shape.first, shape.last, shape.by_end)
    return tuple(statement.where(*one_range) for one_range in ranges)


def conditions(filters: EventFilters) -> list[ColumnElement[bool]]:
    """Every filter but the search, as one WHERE clause with its values bound."""
    return [Event.id.in_(_matching(filters).with_only_columns(Event.id))]


def _matching(filters: EventFilters) -> Select[Event]:
    given = shape(filters, "")
    found = kept(given.types) + rest(given) + [member(name) for name in given.related]
    if given.first or given.last:
        ranges = window.ranges(given.first, given.last)
        found.append(or_(*(and_(*one_range) for one_range in ranges)))
    return select(Event).where(*found).params(values(filters, ""))


def _overlapping(shape: Shape) -> list[ColumnElement[bool]]:
    """The overlap test as such: for plans that do not walk a date index."""
    found = []
    if shape.first:
        found.append(Event.latest >= bindparam("first", type_=Event.latest.type))
    if shape.last:
        found.append(Event.earliest <= bindparam("last", type_=Event.earliest.type))
    return found


def type_count(types: tuple[str, ...]) -> int:
    """0, 1 or 2 for no type, one, or several: what the statements of a type filter differ by."""
    return min(len(set(types)), 2)


def kept(types: int) -> list[ColumnElement[bool]]:
    """Live events, of the types asked for when `types` (a `type_count`): what the event row
    itself tells."""
    found: list[ColumnElement[bool]] = [Event.deleted_at.is_(None)]
    if types:
        chosen = select(EventType.id).where(EventType.slug.in_(bindparam("types", expanding=True)))
        # One type as an equality: each span class's range of a window then comes out of
        # ix_events_type_window_start/end in order, holding that type's events only.
        one = types == 1
        found.append(
            Event.type_id == chosen.scalar_subquery() if one else Event.type_id.in_(chosen)
        )
    return found


def related(name: str) -> Select[Any]:
    """The ids of the events a related filter keeps (for `undisputed`: those it drops)."""
    # Joined, not `IN (SELECT id ...)`: SQLite then reads the junction's index from the named
    # rows instead of scanning the junction table.
    if name == "actor":
        actors: BindParameter[str] = bindparam("actors", expanding=True)
        return select(EventActor.event_id).join(Actor).where(Actor.slug.in_(actors))
    if name == "country":
        codes: BindParameter[str] = bindparam("countries", expanding=True)
        return select(event_countries.c.event_id).where(event_countries.c.country_code.in_(codes))
    if name == "tag":
        tags: BindParameter[str] = bindparam("tags", expanding=True)
        return select(event_tags.c.event_id).join(Tag).where(Tag.slug.in_(tags))
    return select(AlternativeDate.event_id)  # disputed, undisputed


def has_every(name: str) -> ColumnElement[bool]:
    """The event has every value of the all-of filter `name`: counted on the event's own rows
    of the junction (its primary key), like `member` checks a related filter event by event."""
    every: BindParameter[str] = bindparam(f"every_{name}", expanding=True)
    count = bindparam(f"every_{name}_count", type_=Integer())
    if name == "actor":
        key: Any = Actor.slug
        rows = select(func.count(func.distinct(key))).select_from(EventActor).join(Actor)
        rows = rows.where(EventActor.event_id == Event.id)
    elif name == "country":
        key = event_countries.c.country_code
        rows = select(func.count(func.distinct(key))).where(event_countries.c.event_id == Event.id)
    else:
        key = Tag.slug
        rows = select(func.count(func.distinct(key))).select_from(event_tags).join(Tag)
        rows = rows.where(event_tags.c.event_id == Event.id)
    return rows.where(key.in_(every)).scalar_subquery() == count


def member(name: str, drive: bool = False) -> ColumnElement[bool]:
    """An event is among those of `related(name)`: listed from them, or checked one by one."""
    events = related(name)
    if drive:
        return Event.id.in_(events)
    found = exists(events.where(events.selected_columns[0] == Event.id))
    return ~found if name == "undisputed" else found


def filtered(filters: EventFilters, dialect: str) -> Select[Event]:
    """Events matching every filter, values bound: for plans other than the index walks."""
    statement = _matching(filters)
    if filters.search is not None:
        statement = fulltext.matching(statement, filters.search, dialect)
    return statement
