"""Turning data-file items into rows: create, fill in place, and find by public id."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline_api.dates import DateSpan, PartialDate
from timeline_api.models import (
    Actor,
    ActorAlias,
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
from timeline_api.queries import export

Item = dict[str, Any]


def _by_slug(session: Session, model: Any, slugs: Iterable[str]) -> dict[str, Any]:
    wanted = set(slugs)
    if not wanted:
        return {}
    column = model.code if model is Country else model.slug
    rows = session.scalars(select(model).where(column.in_(wanted)))
    return {row.code if model is Country else row.slug: row for row in rows}


def _one(session: Session, model: Any, slug: str) -> Any:
    return _by_slug(session, model, [slug])[slug]


def _text(date: PartialDate | None) -> str | None:
    return None if date is None else str(date)


def _precision(date: PartialDate | None) -> str | None:
    return None if date is None else date.precision.value


def fill_country(_session: Session, country: Country, item: Item) -> None:
    country.code, country.name = item["code"], item["name"]


def fill_named(_session: Session, record: EventType | Tag, item: Item) -> None:
    record.slug, record.name, record.description = item["id"], item["name"], item.get("description")


def fill_source(_session: Session, source: Source, item: Item) -> None:
    source.slug, source.publisher, source.title = item["id"], item["publisher"], item["title"]
    source.author, source.url = item.get("author"), item.get("url")
    source.published = _text(item.get("published"))
    source.published_precision = _precision(item.get("published"))
    source.document, source.description = item.get("document"), item.get("description")


def fill_actor(_session: Session, actor: Actor, item: Item) -> None:
    actor.slug, actor.name, actor.kind = item["id"], item["name"], item["kind"]
    actor.country_code, actor.description = item.get("country"), item.get("description")
    actor.aliases = [ActorAlias(alias=alias) for alias in item["aliases"]]


def _quoted(model: Any, sources: dict[str, Source], quoted: Item, **extra: Any) -> Any:
    return model(
        source=sources[quoted["source"]],
        quote=quoted.get("quote"),
        note=quoted.get("note"),
        **extra,
    )


def fill_event(session: Session, event: Event, item: Item) -> None:
    start, end = item["start"], item.get("end")
    span = DateSpan.of(start, end)
    event.slug, event.title, event.summary = item["id"], item["title"], item["summary"]
    event.text, event.importance = item.get("text"), item["importance"]
    event.type = _one(session, EventType, item["type"])
    event.start, event.start_precision = str(start), start.precision.value
    event.end, event.end_precision = _text(end), _precision(end)
    event.is_approximate, event.date_note = item["is_approximate"], item.get("date_note")
    event.earliest, event.latest = span.first, span.last
    actors = _by_slug(session, Actor, (role["actor"] for role in item["actors"]))
    event.actors = [
        EventActor(actor=actors[role["actor"]], role=role["role"], position=n)
        for n, role in enumerate(item["actors"])
    ]
    countries = _by_slug(session, Country, item["countries"])
    event.countries = [countries[code] for code in dict.fromkeys(item["countries"])]
    tags = _by_slug(session, Tag, item["tags"])
    event.tags = [tags[slug] for slug in dict.fromkeys(item["tags"])]
    cited = [q["source"] for q in (*item["citations"], *item["alternative_dates"])]
    sources = _by_slug(session, Source, cited)
    event.citations = [
        _quoted(Citation, sources, quoted, position=n) for n, quoted in enumerate(item["citations"])
    ]
    event.alternative_dates = [
        _quoted(
            AlternativeDate,
            sources,
            alt,
            start=str(alt["start"]),
            start_precision=alt["start"].precision.value,
            end=_text(alt.get("end")),
            end_precision=_precision(alt.get("end")),
        )
        for alt in item["alternative_dates"]
    ]


def fill_series(session: Session, series: Series, item: Item) -> None:
    series.slug, series.title, series.unit = item["id"], item["title"], item["unit"]
    series.description = item.get("description")
    sources = _by_slug(session, Source, (point["source"] for point in item["points"]))
    series.points = []
    session.flush()  # free each (series, period) before the new points claim it
    series.points = [
        _quoted(
            SeriesPoint,
            sources,
            point,
            period=str(point["period"]),
            precision=point["period"].precision.value,
            earliest=point["period"].first,
            latest=point["period"].last,
            value=point["value"],
        )
        for point in item["points"]
    ]


@dataclass(frozen=True)
class Kind:
    """How one list of the data file maps to a model."""

    model: Any
    fill: Callable[[Session, Any, Item], None]
    to_item: Callable[[Any], Item]

    def create(self, session: Session, item: Item) -> Any:
        record = self.model()
        self.fill(session, record, item)
        return record


KINDS: dict[str, Kind] = {
    "countries": Kind(Country, fill_country, export.country_item),
    "event_types": Kind(EventType, fill_named, export.named_item),
    "tags": Kind(Tag, fill_named, export.named_item),
    "sources": Kind(Source, fill_source, export.source_item),
    "actors": Kind(Actor, fill_actor, export.actor_item),
    "events": Kind(Event, fill_event, export.event_item),
    "series": Kind(Series, fill_series, export.series_item),
}


def find(session: Session, kind: Kind, keys: list[str]) -> dict[str, Any]:
    """Stored records of `kind` by public id (code for countries)."""
    return _by_slug(session, kind.model, keys)


def link_events(session: Session, items: list[Item]) -> set[str]:
    """Set each event's links to those in its item; the ids of events whose links changed."""
    events = _by_slug(session, Event, (item["id"] for item in items))
    targets = _by_slug(session, Event, (link["to"] for item in items for link in item["links"]))
    changed = set()
    for item in items:
        event = events[item["id"]]
        wanted = [(link["to"], link["kind"]) for link in item["links"]]
        if [(link.to_event.slug, link.kind) for link in event.links] == wanted:
            continue
        event.links = [EventLink(to_event_id=targets[slug].id, kind=kind) for slug, kind in wanted]
        changed.add(item["id"])
    return changed
