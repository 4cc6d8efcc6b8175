"""Events: range, filters, search and sort, one page at a time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from timeline_api.dates import SPAN_CLASSES, earliest_start
from timeline_api.models import (
    Actor,
    AlternativeDate,
    Citation,
    Event,
    EventActor,
    EventLink,
    EventType,
    Tag,
    event_countries,
    event_tags,
)
from timeline_api.queries import fulltext
from timeline_api.queries.paging import Key, Order, Page, fetch_page, fetch_ranked
from timeline_api.search import Query, snippet

# Best match first; pages by position, as ranks are computed per query.
RELEVANCE = Order("relevance", (), by_position=True)
ORDERS = {
    order.name: order
    for order in (
        Order("start", ((Event.earliest, False), (Event.latest, False), (Event.id, False))),
        Order("-start", ((Event.earliest, True), (Event.latest, True), (Event.id, True))),
        Order("end", ((Event.latest, False), (Event.earliest, False), (Event.id, False))),
        Order("-end", ((Event.latest, True), (Event.earliest, True), (Event.id, True))),
        Order(
            "-importance", ((Event.importance, True), (Event.earliest, False), (Event.id, False))
        ),
        Order(
            "importance", ((Event.importance, False), (Event.earliest, False), (Event.id, False))
        ),
        Order("title", ((Event.title, False), (Event.id, False))),
        Order("-title", ((Event.title, True), (Event.id, True))),
        RELEVANCE,
    )
}


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
    sort: str = "start"
    limit: int = 50
    after: Key | None = None


LIST_LOADING = (
    selectinload(Event.type),
    selectinload(Event.actors).selectinload(EventActor.actor),
    selectinload(Event.countries),
    selectinload(Event.tags),
    selectinload(Event.alternative_dates),
)

SOURCE_LOADING = (selectinload(Event.citations).selectinload(Citation.source),)

DETAIL_LOADING = (
    *LIST_LOADING,
    selectinload(Event.citations).selectinload(Citation.source),
    selectinload(Event.alternative_dates).selectinload(AlternativeDate.source),
    selectinload(Event.links).selectinload(EventLink.to_event),
    selectinload(Event.linked_from).selectinload(EventLink.from_event),
)


def filtered(filters: EventFilters, dialect: str) -> Select[Event]:
    """Events matching every filter; a span matches when it can overlap from..to."""
    statement = select(Event).where(*conditions(filters))
    if filters.search is not None:
        statement = fulltext.matching(statement, filters.search, dialect)
    return statement


def conditions(filters: EventFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [Event.deleted_at.is_(None)]
    # Partial dates are read at their widest: earliest..latest can overlap first..last.
    if filters.first is not None:
        found.append(Event.latest >= filters.first)
        found.append(_may_reach(filters.first, filters.last))
    elif filters.last is not None:
        found.append(Event.earliest <= filters.last)
    if filters.types:
        found.append(
            Event.type_id.in_(select(EventType.id).where(EventType.slug.in_(filters.types)))
        )
    if filters.actors:
        named = select(EventActor.event_id).join(Actor).where(Actor.slug.in_(filters.actors))
        found.append(Event.id.in_(named))
    if filters.countries:
        placed = select(event_countries.c.event_id).where(
            event_countries.c.country_code.in_(filters.countries)
        )
        found.append(Event.id.in_(placed))
    if filters.tags:
        tagged = select(event_tags.c.event_id).join(Tag).where(Tag.slug.in_(filters.tags))
        found.append(Event.id.in_(tagged))
    if filters.is_disputed is not None:
        disputed = exists().where(AlternativeDate.event_id == Event.id)
        found.append(disputed if filters.is_disputed else ~disputed)
    return found


def _may_reach(first: date, last: date | None) -> ColumnElement[bool]:
    """Starts no later than `last`, and early enough for the span's class to reach `first`.

    With `latest >= first` this is the overlap test, written as one narrow range of
    (span_class, earliest) per class, so that no plan scans every earlier event.
    """
    upper = [Event.earliest <= last] if last is not None else []
    return or_(
        *(
            and_(Event.span_class == klass, Event.earliest >= earliest_start(first, klass), *upper)
            for klass in SPAN_CLASSES
        )
    )


def page(session: Session, filters: EventFilters, with_sources: bool = False) -> Page[Event]:
    """One page of matching events; with a search, each carries a highlighted `snippet`."""
    dialect = session.get_bind().dialect.name
    loading = (*LIST_LOADING, *SOURCE_LOADING) if with_sources else LIST_LOADING
    statement = filtered(filters, dialect).options(*loading)
    order = ORDERS[filters.sort]
    if order is RELEVANCE and filters.search is not None:
        ranked = fulltext.by_relevance(statement, filters.search, dialect)
        found = fetch_ranked(session, ranked, statement, order, filters.limit, filters.after)
    else:
        found = fetch_page(session, statement, order, filters.limit, filters.after)
    if filters.search is not None:
        for event in found.items:
            # Not a column: where the words were found, for this response only.
            setattr(event, "snippet", snippet(filters.search, _texts(event)))  # noqa: B010
    return found


def _texts(event: Event) -> tuple[str | None, ...]:
    return (event.title, event.summary, event.text)


def detail(session: Session, slug: str) -> Event | None:
    return session.scalar(select(Event).where(Event.slug == slug).options(*DETAIL_LOADING))


def unknown(session: Session, model: Any, slugs: Iterable[str]) -> list[str]:
    """Those of `slugs` that name no record of `model`, in the order given."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    known = set(session.scalars(select(model.slug).where(model.slug.in_(wanted))))
    return [slug for slug in wanted if slug not in known]
