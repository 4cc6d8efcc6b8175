"""Counts of events per year, month, type, actor, country or tag, for dashboards."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Subquery, case, extract, func, select
from sqlalchemy.orm import Session

from timeline_api.models import (
    Actor,
    Country,
    Event,
    EventActor,
    EventType,
    Tag,
    event_countries,
    event_tags,
)
from timeline_api.queries import fulltext
from timeline_api.queries.events import EventFilters, conditions

GROUPS = ("year", "month", "type", "actor", "country", "tag")


@dataclass(frozen=True)
class Bucket:
    """One group: its key (an id, a code, "2024" or "2024-06"), a label, how many events."""

    key: str
    label: str
    count: int


def _statement(filters: EventFilters, dialect: str) -> Select[int]:
    statement = select(Event.id).where(*conditions(filters))
    if filters.search is not None:
        statement = fulltext.matching(statement, filters.search, dialect)
    return statement


def count_by(session: Session, filters: EventFilters, by: str) -> list[Bucket]:
    """Matching events counted per group; an event with several actors counts for each."""
    dialect = session.get_bind().dialect.name
    matching = _statement(filters, dialect).subquery()
    if by in ("year", "month"):
        return _by_date(session, matching, by)
    key, label, joined = _GROUPED[by]
    rows = session.execute(
        select(key, label, func.count(func.distinct(joined.c.event_id)))
        .select_from(joined)
        .join(matching, matching.c.id == joined.c.event_id)
        .group_by(key, label)
        .order_by(func.count(func.distinct(joined.c.event_id)).desc(), key)
    )
    return [Bucket(str(k), str(name), int(n)) for k, name, n in rows]


def _by_date(session: Session, matching: Subquery, by: str) -> list[Bucket]:
    """By the start's year, or month; a start known only to the year stays in "YYYY"."""
    year = extract("year", Event.earliest)
    month: ColumnElement[int | None] = case(
        (Event.start_precision == "year", None), else_=extract("month", Event.earliest)
    )
    columns = [year] if by == "year" else [year, month]
    rows = session.execute(
        select(*columns, func.count(Event.id))
        .where(Event.id.in_(select(matching.c.id)))
        .group_by(*columns)
        .order_by(*columns)
    )
    buckets = []
    for row in rows:
        key = f"{int(row[0]):04d}" + (f"-{int(row[1]):02d}" if by == "month" and row[1] else "")
        buckets.append(Bucket(key, key, int(row[-1])))
    return buckets


_ACTORS = select(EventActor.event_id, Actor.slug, Actor.name).join(Actor).subquery()
_TYPES = (
    select(Event.id.label("event_id"), EventType.slug, EventType.name)
    .join(EventType, EventType.id == Event.type_id)
    .subquery()
)
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
_GROUPED = {
    name: (table.c.slug, table.c.name, table)
    for name, table in (
        ("actor", _ACTORS),
        ("type", _TYPES),
        ("country", _COUNTRIES),
        ("tag", _TAGS),
    )
}
