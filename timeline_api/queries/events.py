"""Events: range, filters, search and sort, one page at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from timeline_api.models import AlternativeDate, Citation, Event, EventActor, EventLink
from timeline_api.queries import counts, fulltext, linked, listing
from timeline_api.queries.filters import (
    EventFilters,
    filtered,
    parts,
    search_plan,
    shape,
    values,
)
from timeline_api.queries.paging import (
    Key,
    Order,
    Page,
    cached_keys_statement,
    page_keys,
    ranked_keys,
)
from timeline_api.search import Query, snippet

__all__ = ["ORDERS", "EventFilters", "batches", "detail", "page", "unknown"]

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

DETAIL_LOADING = (
    *LIST_LOADING,
    selectinload(Event.citations).selectinload(Citation.source),
    selectinload(Event.alternative_dates).selectinload(AlternativeDate.source),
    selectinload(Event.links).selectinload(EventLink.to_event),
    selectinload(Event.linked_from).selectinload(EventLink.from_event),
)


def page(session: Session, filters: EventFilters) -> Page[Any]:
    """One page of matching events as plain records (queries.listing); with a search, each
    carries a highlighted `snippet`."""
    dialect = session.get_bind().dialect.name
    order = ORDERS[filters.sort]
    matches = 0
    if filters.search is not None:
        matches = fulltext.matches_up_to(session, filters.search, fulltext.SOME + 1)
    if order is RELEVANCE and filters.search is not None:
        ids, next_key = ranked_keys(
            session, _by_relevance(filters, dialect), filters.limit, filters.after
        )
        total, exact = counts.total(session, filters, dialect, None, matches)
    else:
        ids, next_key, total, exact = _walked(session, filters, dialect, order, matches)
    items = listing.records(session, ids, with_text=filters.search is not None)
    if filters.search is not None:
        for item in items:
            _add_snippet(item, filters.search)
    return Page(items, total, filters.limit, order.name, next_key, exact)


def _by_relevance(filters: EventFilters, dialect: str) -> Select[Any]:
    assert filters.search is not None
    if dialect == "sqlite" and counts.only_searched(filters):  # no join: the index alone
        return fulltext.ranked(filters.search)
    statement = filtered(filters, dialect).with_only_columns(Event.id)
    return fulltext.by_relevance(statement, filters.search, dialect)


def _walked(
    session: Session, filters: EventFilters, dialect: str, order: Order, matches: int
) -> tuple[list[int], Key | None, int, bool]:
    """A page's ids walked along the order's index (see queries.filters), and the total."""
    driver = None if _linked(filters, order) else counts.choose_driver(session, filters, dialect)
    ids, next_key = _walked_ids(session, filters, dialect, order, matches, driver)
    total, exact = counts.total(session, filters, dialect, driver, matches)
    return ids, next_key, total, exact


def _walked_ids(
    session: Session,
    filters: EventFilters,
    dialect: str,
    order: Order,
    matches: int,
    driver: str | None,
) -> tuple[list[int], Key | None]:
    by_end = order.columns[0][0] is Event.latest
    name = _linked(filters, order)
    if name is not None:
        first, last = filters.first is not None, filters.last is not None
        walked = linked.parts(name, first, last, by_end, linked.is_many(filters, name))
        order = linked.order(name, order)
    else:
        how = search_plan(filters, matches) if filters.search is not None else "joined"
        walked = parts(shape(filters, dialect, by_end, driver, how))
    keys = cached_keys_statement(walked, order, filters.after is not None)
    bound = values(filters, dialect)
    return page_keys(session, keys, filters.limit, filters.after, bound)


def _linked(filters: EventFilters, order: Order) -> str | None:
    """The relation whose link table walks this list's pages (queries.linked), if any."""
    return linked.relation(filters) if order.name in linked.WALKED else None


def batches(session: Session, filters: EventFilters, size: int = 500) -> Iterator[list[Any]]:
    """Every matching event from `filters.after` on, as records, `size` at a time.

    Each batch is a keyset page (the next starts after the last key), so memory holds one
    batch whatever the result's size, and no total is counted.
    """
    dialect = session.get_bind().dialect.name
    order = ORDERS[filters.sort]
    matches = 0
    if filters.search is not None:
        matches = fulltext.matches_up_to(session, filters.search, fulltext.SOME + 1)
    driver = None
    if order is not RELEVANCE and not _linked(filters, order):
        driver = counts.choose_driver(session, filters, dialect)
    current = replace(filters, limit=size)
    while True:
        if order is RELEVANCE and current.search is not None:
            ranked = fulltext.by_relevance(
                filtered(current, dialect).with_only_columns(Event.id), current.search, dialect
            )
            ids, next_key = ranked_keys(session, ranked, size, current.after)
        else:
            ids, next_key = _walked_ids(session, current, dialect, order, matches, driver)
        items = listing.records(session, ids, with_text=current.search is not None)
        if current.search is not None:
            for item in items:
                _add_snippet(item, current.search)
        yield items
        if next_key is None:
            return
        current = replace(current, after=next_key)


def _add_snippet(item: dict[str, Any], query: Query) -> None:
    """Where the words were found: not a column, for this response only. An event found by
    its labels alone (services.search_labels) shows the type, tag or actor name that matched."""
    labels = [
        item["type"]["name"],
        *(tag["name"] for tag in item["tags"]),
        *(role["actor"]["name"] for role in item["actors"]),
    ]
    item["snippet"] = snippet(query, (item["title"], item["summary"], item["text"], *labels))


def detail(session: Session, slug: str) -> Event | None:
    return session.scalar(select(Event).where(Event.slug == slug).options(*DETAIL_LOADING))


def unknown(session: Session, model: Any, slugs: Iterable[str]) -> list[str]:
    """Those of `slugs` that name no record of `model`, in the order given."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    known = set(session.scalars(select(model.slug).where(model.slug.in_(wanted))))
    return [slug for slug in wanted if slug not in known]
