"""How many events match a list's filters: exact, and never by walking the whole table.

Dates and types alone are answered from `event_counts` (starts per month and type, kept by
triggers) plus small index ranges: the edges of the window's first and last months, and the
events that start before the window and reach into it (queries.window.straddling). Other
filters count their matches through the window's index ranges or from the filter's own index,
whichever holds fewer (see `choose_driver`), so the cost follows the matches, never the size
of the timeline. Statements are built once per shape and reused, as in queries.filters.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, case, func, select, union_all
from sqlalchemy.orm import Session

from timeline_api.dates import SPAN_CLASSES
from timeline_api.models import Event, EventCount, EventType
from timeline_api.queries import fulltext, linked, window
from timeline_api.queries.filters import (
    EventFilters,
    kept,
    parts,
    related,
    shape,
    type_count,
    values,
)

Month = tuple[int, int]  # (year, month)


def total(
    session: Session, filters: EventFilters, dialect: str, driver: str | None, matches: int = 0
) -> tuple[int, bool]:
    """How many events `filters` match, and whether that is exact rather than estimated.

    `driver` as `choose_driver` chose it; `matches`: a search's matches, counted up to
    fulltext.SOME + 1. A search matching more is estimated: exactly, it would cost a scan.
    """
    if filters.search is not None and matches > fulltext.SOME:
        return _estimate(session, filters, dialect), False
    if filters.search is not None and only_searched(filters):  # counted already, but for
        return matches - fulltext.deleted_matches(session, filters.search), True  # deleted
    if filters.is_disputed is False:  # all but the disputed: two cheap counts, not a scan
        both, disputed = replace(filters, is_disputed=None), replace(filters, is_disputed=True)
        return _exact(session, both, dialect, matches) - _exact(
            session, disputed, dialect, matches
        ), True
    return _count(session, filters, dialect, driver), True


def _exact(session: Session, filters: EventFilters, dialect: str, matches: int) -> int:
    return total(session, filters, dialect, choose_driver(session, filters, dialect), matches)[0]


def _count(session: Session, filters: EventFilters, dialect: str, driver: str | None) -> int:
    if by_counts_table(filters):
        return _from_counts(session, filters)
    name = linked.relation(filters)
    if name is not None:
        return linked.total(session, name, filters, values(filters, dialect))
    counted = summed(parts(shape(filters, dialect, driver=driver)))
    return session.scalar(counted, values(filters, dialect)) or 0


def _estimate(session: Session, filters: EventFilters, dialect: str) -> int:
    """A common search's matches among the other filters', taking the two as independent."""
    assert filters.search is not None
    unsearched = replace(filters, search=None)
    events = _from_counts(session, EventFilters())
    if not events:
        return 0
    others = _exact(session, unsearched, dialect, 0)
    return round(fulltext.estimate(session, filters.search, events) * others / events)


def only_searched(filters: EventFilters) -> bool:
    """Whether a search is all `filters` asks (sort and paging aside)."""
    return replace(filters, search=None, sort="start", limit=50, after=None) == EventFilters()


def by_counts_table(filters: EventFilters) -> bool:
    """Whether `event_counts` can answer: no filter other than dates and types."""
    return not (
        filters.min_importance is not None
        or filters.every_actor
        or filters.every_country
        or filters.every_tag
        or filters.actors
        or filters.countries
        or filters.tags
        or filters.search is not None
        or filters.is_disputed is not None
    )


def choose_driver(session: Session, filters: EventFilters, dialect: str) -> str | None:
    """The related filter to list events from, or None to walk the dates and check each.

    Listing from a filter costs what the filter holds; walking the dates costs what the dates
    and types alone match. The smaller wins, so a rare actor in a wide window and a common
    tag in a narrow one are both cheap.
    """
    candidates = [name for name in shape(filters, dialect).related if name != "undisputed"]
    if not candidates or filters.search is not None:
        return None
    bound = values(filters, dialect)
    sizes = {name: session.scalar(_size(name), bound) or 0 for name in candidates}
    smallest = min(candidates, key=lambda name: sizes[name])
    dated = replace(filters, actors=(), countries=(), tags=(), is_disputed=None)
    return smallest if sizes[smallest] < _from_counts(session, dated) else None


@lru_cache(maxsize=16)
def _size(name: str) -> Select[Any]:
    return select(func.count()).select_from(related(name).subquery())


@lru_cache(maxsize=1024)
def summed(statements: tuple[Select[Any], ...]) -> Select[Any]:
    """The rows of all `statements` together, each counted on its own index range."""
    counted = [statement.with_only_columns(func.count().label("n")) for statement in statements]
    if len(counted) == 1:
        return counted[0]
    together = union_all(*counted).subquery()
    return select(func.coalesce(func.sum(together.c.n), 0))


def _from_counts(session: Session, filters: EventFilters) -> int:
    found = _starting_between(session, filters)
    if filters.first is not None:
        bound = {**window.values(filters.first, None), "types": list(filters.types)}
        found += session.scalar(_straddling(type_count(filters.types)), bound) or 0
    return found


@lru_cache(maxsize=4)
def _straddling(types: int) -> Select[Any]:
    return summed(tuple(select(Event).where(*one, *kept(types)) for one in window.straddling()))


def _starting_between(session: Session, filters: EventFilters) -> int:
    """Live events starting in first..last: whole months from the table, edges by index."""
    first, last, types = filters.first, filters.last, filters.types
    lowest = None if first is None else _month_from(first)
    highest = None if last is None else _month_to(last)
    if _no_whole_month(lowest, highest):
        return _starts_in(session, first, last, types)  # a month or two at most: by index
    bound: dict[str, Any] = {"types": list(types)}
    if lowest is not None:
        bound.update(low_year=lowest[0], low=lowest[0] * 12 + lowest[1])
    if highest is not None:
        bound.update(high_year=highest[0], high=highest[0] * 12 + highest[1])
    found = session.scalar(_months(lowest is not None, highest is not None, bool(types)), bound)
    found = found or 0
    if first is not None and lowest is not None and first.day != 1:
        found += _starts_in(session, first, _first_day(lowest) - timedelta(days=1), types)
    if last is not None and highest is not None and last != _last_day(highest):
        found += _starts_in(session, _last_day(highest) + timedelta(days=1), last, types)
    return found


def _starts_in(
    session: Session, first: date | None, last: date | None, types: tuple[str, ...]
) -> int:
    statement = _starting(first is not None, last is not None, type_count(types))
    return session.scalar(statement, {"first": first, "last": last, "types": list(types)}) or 0


@lru_cache(maxsize=8)
def _starting(first: bool, last: bool, types: int) -> Select[Any]:
    bounds = []
    if first:
        bounds.append(Event.earliest >= bindparam("first", type_=Event.earliest.type))
    if last:
        bounds.append(Event.earliest <= bindparam("last", type_=Event.earliest.type))
    if types:
        # Every class, spelled out: the starts of a type are then one range per class of
        # ix_events_type_window_start, where the type alone would read all its events.
        bounds.append(Event.span_class.in_(list(SPAN_CLASSES)))
    return select(func.count()).where(*bounds, *kept(types))


@lru_cache(maxsize=8)
def _months(lowest: bool, highest: bool, types: bool) -> Select[Any]:
    """Events starting in whole months `low`..`high` (year * 12 + month), from event_counts."""
    month = case((EventCount.month == 0, 1), else_=EventCount.month)  # "2002" starts in January
    ordinal = EventCount.year * 12 + month
    where = []
    if lowest:
        where += [
            EventCount.year >= bindparam("low_year", type_=Integer()),
            ordinal >= bindparam("low", type_=Integer()),
        ]
    if highest:
        where += [
            EventCount.year <= bindparam("high_year", type_=Integer()),
            ordinal <= bindparam("high", type_=Integer()),
        ]
    if types:
        chosen = select(EventType.id).where(EventType.slug.in_(bindparam("types", expanding=True)))
        where.append(EventCount.type_id.in_(chosen))
    return select(func.sum(EventCount.events)).where(*where)


def _no_whole_month(lowest: Month | None, highest: Month | None) -> bool:
    """No whole month lies between; or one bound falls outside the calendar's years."""
    if lowest is not None and (
        lowest[0] > date.max.year or (highest is not None and lowest > highest)
    ):
        return True
    return highest is not None and highest[0] < date.min.year


def _month_from(first: date) -> Month:
    """The first whole month on or after `first`."""
    if first.day == 1:
        return (first.year, first.month)
    return (first.year + first.month // 12, first.month % 12 + 1)


def _month_to(last: date) -> Month:
    """The last whole month on or before `last`."""
    if last == _last_day((last.year, last.month)):
        return (last.year, last.month)
    return (last.year - (last.month == 1), (last.month - 2) % 12 + 1)


def _first_day(month: Month) -> date:
    return date(month[0], month[1], 1)


def _last_day(month: Month) -> date:
    return date(month[0], month[1], calendar.monthrange(*month)[1])
