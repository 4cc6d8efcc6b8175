"""Records in the data file format (docs/data-format.md), for export and for comparing imports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from timeline_api.models import (
    Actor,
    AlternativeDate,
    Citation,
    Country,
    Event,
    EventActor,
    EventLink,
    EventType,
    Series,
    SeriesPoint,
    Source,
    Tag,
)

Item = dict[str, Any]


def _compact(item: Item) -> Item:
    """Leave out empty optional members, as a hand-written file would."""
    return {key: value for key, value in item.items() if value is not None and value != []}


def compact_deep(value: Any) -> Any:
    """`_compact` all the way down, so that two items compare by content alone."""
    if isinstance(value, dict):
        return {key: compact_deep(item) for key, item in _compact(value).items()}
    if isinstance(value, list):
        return [compact_deep(item) for item in value]
    return value


def country_item(country: Country) -> Item:
    return {"code": country.code, "name": country.name}


def named_item(record: EventType | Tag) -> Item:
    return _compact({"id": record.slug, "name": record.name, "description": record.description})


def source_item(source: Source) -> Item:
    return _compact(
        {
            "id": source.slug,
            "publisher": source.publisher,
            "title": source.title,
            "author": source.author,
            "url": source.url,
            "published": source.published,
            "document": source.document,
            "description": source.description,
        }
    )


def actor_item(actor: Actor) -> Item:
    return _compact(
        {
            "id": actor.slug,
            "name": actor.name,
            "kind": actor.kind,
            "country": actor.country_code,
            "description": actor.description,
            "aliases": [alias.alias for alias in actor.aliases],
        }
    )


def _quoted(record: Any) -> Item:
    return _compact({"source": record.source.slug, "quote": record.quote, "note": record.note})


def _actor_role(link: EventActor) -> Item:
    return {"actor": link.actor.slug, "role": link.role}


def _event_link(link: EventLink) -> Item:
    return {"to": link.to_event.slug, "kind": link.kind}


def event_item(event: Event) -> Item:
    return _compact(
        {
            "id": event.slug,
            "title": event.title,
            "summary": event.summary,
            "text": event.text,
            "type": event.type.slug,
            "importance": event.importance,
            "start": event.start,
            "end": event.end,
            "is_approximate": event.is_approximate,
            "date_note": event.date_note,
            "actors": [_actor_role(link) for link in event.actors],
            "countries": [country.code for country in event.countries],
            "tags": [tag.slug for tag in event.tags],
            "citations": [_quoted(citation) for citation in event.citations],
            "alternative_dates": [
                {**_compact({"start": alt.start, "end": alt.end}), **_quoted(alt)}
                for alt in event.alternative_dates
            ],
            "links": [_event_link(link) for link in event.links],
        }
    )


def _number(value: Any) -> int | float:
    """A stored Decimal as JSON writes numbers: 10, not "10.0000"."""
    number = float(value)
    return int(number) if number.is_integer() else number


def series_item(series: Series) -> Item:
    points = [
        {"period": point.period, "value": _number(point.value), **_quoted(point)}
        for point in series.points
    ]
    return _compact(
        {
            "id": series.slug,
            "title": series.title,
            "description": series.description,
            "unit": series.unit,
            "points": points,
        }
    )


EVENT_LOADING = (
    selectinload(Event.type),
    selectinload(Event.actors).selectinload(EventActor.actor),
    selectinload(Event.countries),
    selectinload(Event.tags),
    selectinload(Event.citations).selectinload(Citation.source),
    selectinload(Event.alternative_dates).selectinload(AlternativeDate.source),
    selectinload(Event.links).selectinload(EventLink.to_event),
)


def export_dataset(
    session: Session, where: Sequence[ColumnElement[bool]] = (), batch: int = 500
) -> Iterator[tuple[str, Item]]:
    """Every record as (list name, item), in the order a loader needs them.

    `where` narrows the events (deleted ones are never exported); links to events left out
    are dropped, so that the export loads on its own.
    """
    simple: list[tuple[str, Any, Any, Any]] = [
        ("countries", Country, country_item, Country.code),
        ("event_types", EventType, named_item, EventType.slug),
        ("tags", Tag, named_item, Tag.slug),
        ("sources", Source, source_item, Source.slug),
        ("actors", Actor, actor_item, Actor.slug),
    ]
    for name, model, to_item, order in simple:
        for record in session.scalars(select(model).order_by(order)):
            yield name, to_item(record)
    visible = [Event.deleted_at.is_(None), *where]
    kept = set(session.scalars(select(Event.slug).where(*visible))) if where else None
    events = select(Event).where(*visible).options(*EVENT_LOADING)
    for event in session.scalars(
        events.order_by(Event.earliest, Event.id).execution_options(yield_per=batch)
    ):
        item = event_item(event)
        # Links to events left out (deleted, or filtered away) would not load on their own.
        dropped = {link.to_event.slug for link in event.links if link.to_event.deleted_at}
        item["links"] = [
            link
            for link in item.get("links", [])
            if link["to"] not in dropped and (kept is None or link["to"] in kept)
        ]
        yield "events", _compact(item)
    series = select(Series).options(selectinload(Series.points).selectinload(SeriesPoint.source))
    for record in session.scalars(series.order_by(Series.slug)):
        yield "series", series_item(record)
