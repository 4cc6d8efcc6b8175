"""Events: range, filters, search and sort, one page at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from timeline_api.models import AlternativeDate, Citation, Event, EventActor, EventLink
from timeline_api.queries import counts, fulltext
from timeline_api.queries.filters import (
    EventFilters,
    filtered,
    parts,
    search_plan,
    shape,
    values,
)
from timeline_api.queries.paging import (
    Order,
    Page,
    cached_keys_statement,
    fetch_ranked,
    page_keys,
)
from timeline_api.search import snippet

__all__ = ["ORDERS", "EventFilters", "detail", "page", "unknown"]

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


def page(session: Session, filters: EventFilters, with_sources: bool = False) -> Page[Event]:
    """One page of matching events; with a search, each carries a highlighted `snippet`."""
    dialect = session.get_bind().dialect.name
    loading = (*LIST_LOADING, *SOURCE_LOADING) if with_sources else LIST_LOADING
    order = ORDERS[filters.sort]
    if order is RELEVANCE and filters.search is not None:
        statement = filtered(filters, dialect).options(*loading)
        ranked = fulltext.by_relevance(statement, filters.search, dialect)
        matches = fulltext.matches_up_to(session, filters.search, fulltext.SOME + 1)
        total = counts.total(session, filters, dialect, None, matches)
        found = fetch_ranked(session, ranked, total, order, filters.limit, filters.after)
    else:
        found = _walked(session, filters, dialect, order, loading)
    if filters.search is not None:
        for event in found.items:
            # Not a column: where the words were found, for this response only.
            setattr(event, "snippet", snippet(filters.search, _texts(event)))  # noqa: B010
    return found


def _walked(
    session: Session, filters: EventFilters, dialect: str, order: Order, loading: Any
) -> Page[Event]:
    """A page walked along the order's index (see queries.filters and queries.counts)."""
    matches, how = 0, "joined"
    if filters.search is not None:
        matches = fulltext.matches_up_to(session, filters.search, fulltext.SOME + 1)
        how = search_plan(filters, matches)
    by_end = order.columns[0][0] is Event.latest
    driver = counts.choose_driver(session, filters, dialect)
    walked = parts(shape(filters, dialect, by_end, driver, how))
    keys = cached_keys_statement(walked, order, filters.after is not None)
    bound = values(filters, dialect)
    ids, next_key = page_keys(session, keys, filters.limit, filters.after, bound)
    total, exact = counts.total(session, filters, dialect, driver, matches)
    events = _by_id(session, ids, loading)
    return Page(events, total, filters.limit, order.name, next_key, exact)


def _by_id(session: Session, ids: list[int], loading: Iterable[Any]) -> list[Event]:
    """The events of `ids`, in that order, with their relations in a fixed number of queries."""
    if not ids:
        return []
    found = {
        e.id: e for e in session.scalars(select(Event).where(Event.id.in_(ids)).options(*loading))
    }
    return [found[id] for id in ids]


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
