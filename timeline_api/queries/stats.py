"""Counts of events per year, month, type, actor, country or tag, for dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, case, extract, func, null, select, union_all
from sqlalchemy.orm import Session

from timeline_api.models import (
    Actor,
    Country,
    Event,
    EventActor,
    EventCount,
    EventType,
    Tag,
    event_countries,
    event_tags,
)
from timeline_api.queries import counts
from timeline_api.queries.filters import EventFilters, Shape, parts, shape, values

GROUPS = ("year", "month", "type", "actor", "country", "tag")


@dataclass(frozen=True)
class Bucket:
    """One group: its key (an id, a code, "2024" or "2024-06"), a label, how many events."""

    key: str
    label: str
    count: int


def count_by(session: Session, filters: EventFilters, by: str) -> list[Bucket]:
    """Matching events counted per group; an event with several actors counts for each."""
    if (
        by in ("year", "month", "type")
        and counts.by_counts_table(filters)
        and not (filters.first or filters.last)
    ):
        return _from_counts(session, filters, by)
    dialect = session.get_bind().dialect.name
    driver = counts.choose_driver(session, filters, dialect)
    grouped = _grouped(shape(filters, dialect, driver=driver), by)
    rows = session.execute(grouped, values(filters, dialect))
    if by in ("year", "month"):
        return [_dated(by, int(row[0]), row[1], int(row[-1])) for row in rows]
    return [Bucket(str(k), str(name), int(n)) for k, name, n in rows]


@lru_cache(maxsize=256)
def _grouped(shape: Shape, by: str) -> Select[Any]:
    """Matching events counted per group: each window range read from its index."""
    columns = (Event.id, Event.earliest, Event.start_precision, Event.type_id)
    walked = [part.with_only_columns(*columns) for part in parts(shape)]
    matching = (walked[0] if len(walked) == 1 else union_all(*walked)).subquery()
    if by in ("year", "month"):
        return _by_date(matching, by)
    if by == "type":  # the type is in the window's index: count, then name the few types
        per_type = (
            select(matching.c.type_id, func.count().label("events"))
            .group_by(matching.c.type_id)
            .subquery()
        )
        return (
            select(EventType.slug, EventType.name, per_type.c.events)
            .join(per_type, per_type.c.type_id == EventType.id)
            .order_by(per_type.c.events.desc(), EventType.slug)
        )
    key, label, joined = GROUPED[by]
    events = func.count(func.distinct(joined.c.event_id))
    return (
        select(key, label, events)
        .select_from(joined)
        .join(matching, matching.c.id == joined.c.event_id)
        .group_by(key, label)
        .order_by(events.desc(), key)
    )


def _by_date(matching: Subquery, by: str) -> Select[Any]:
    """By the start's year, or month; a start known only to the year stays in "YYYY"."""
    year = extract("year", matching.c.earliest)
    if by == "year":
        return select(year, null(), func.count()).group_by(year).order_by(year)  # type: ignore[return-value]
    month: ColumnElement[int | None] = case(
        (matching.c.start_precision == "year", None), else_=extract("month", matching.c.earliest)
    )
    return select(year, month, func.count()).group_by(year, month).order_by(year, month)  # type: ignore[return-value]


def _dated(by: str, year: int, month: Any, count: int) -> Bucket:
    key = f"{year:04d}" + (f"-{int(month):02d}" if by == "month" and month else "")
    return Bucket(key, key, count)


def _from_counts(session: Session, filters: EventFilters, by: str) -> list[Bucket]:
    """Whole-timeline counts per year, month or type, read from event_counts."""
    chosen = []
    if filters.types:
        chosen.append(
            EventCount.type_id.in_(select(EventType.id).where(EventType.slug.in_(filters.types)))
        )
    total = func.sum(EventCount.events)
    if by == "type":  # summed per type first, then named: a join per type, not per row
        per_type = (
            select(EventCount.type_id, total.label("events"))
            .where(*chosen)
            .group_by(EventCount.type_id)
            .having(total > 0)
            .subquery()
        )
        rows = session.execute(
            select(EventType.slug, EventType.name, per_type.c.events)
            .join(per_type, per_type.c.type_id == EventType.id)
            .order_by(per_type.c.events.desc(), EventType.slug)
        )
        return [Bucket(str(k), str(name), int(n)) for k, name, n in rows]
    columns = [EventCount.year] if by == "year" else [EventCount.year, EventCount.month]
    rows = session.execute(
        select(*columns, total)
        .where(*chosen)
        .group_by(*columns)
        .having(total > 0)
        .order_by(*columns)
    )
    return [
        _dated(by, int(row[0]), row[1] if by == "month" else None, int(row[-1])) for row in rows
    ]


_ACTORS = select(EventActor.event_id, Actor.slug, Actor.name).join(Actor).subquery()
_COUNTRIES = (
    select(event_countries.c.event_id, Country.code.label("slug"), Country.name)
    .join(Country, Country.code == event_countries.c.country_code)
    .subquery()
)
_TAGS = (
    select(event_tags.c.event_id, Tag.slug, Tag.name)
    .join(Tag, Tag.id == event_tags.c.tag_id)
    .subquery()
)
GROUPED = {
    name: (table.c.slug, table.c.name, table)
    for name, table in (
        ("actor", _ACTORS),
        ("country", _COUNTRIES),
        ("tag", _TAGS),
    )
}
