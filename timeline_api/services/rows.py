"""Data-file items as table rows: the record's own row, and the rows that hang off it.

The write side of the mapping that queries/stored.py reads back. Items come in file form (as
the schemas dump them, checked already: dates as text, empty members left out); rows are plain
dicts for Core `insert()`/`update()`; references to other records become database ids through
`Ids`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import Table

from timeline_api.dates import DateSpan, PartialDate, parse_partial_date, span_class
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
    event_countries,
    event_tags,
)
from timeline_api.services.search_labels import event_search_text

Item = dict[str, Any]
Row = dict[str, Any]


class Ids(Protocol):
    """Database ids of records named in an item."""

    def __call__(self, name: str, key: str) -> int:
        """The id of the record of list `name` with public id `key`."""

    def labels(self, name: str, key: str) -> tuple[str, ...]:
        """The names a type, tag or actor labels its events with (services.search_labels)."""


@dataclass(frozen=True)
class Children:
    """A table whose rows belong to a record: how to find them, and how to make them."""

    table: Table
    parent: str  # the column naming the record
    rows: Callable[[Item, int, Ids], list[Row]]


@dataclass(frozen=True)
class Mapping:
    """How items of one list become rows."""

    table: Table
    row: Callable[[Item, Ids], Row]
    children: tuple[Children, ...] = field(default=())


@lru_cache(maxsize=65536)
def _date(text: str) -> PartialDate:
    """A checked date of the file; a file repeats its dates, so each is parsed once."""
    return parse_partial_date(text)


def _precision(text: str | None) -> str | None:
    return None if text is None else _date(text).precision.value


def _named(item: Item, _ids: Ids) -> Row:
    return {"slug": item["id"], "name": item["name"], "description": item.get("description")}


def _country(item: Item, _ids: Ids) -> Row:
    return {"code": item["code"], "name": item["name"]}


def _source(item: Item, _ids: Ids) -> Row:
    published = item.get("published")
    return {
        "slug": item["id"],
        "publisher": item["publisher"],
        "title": item["title"],
        "title_is_descriptive": bool(item.get("title_is_descriptive")),
        "author": item.get("author"),
        "url": item.get("url"),
        "published": published,
        "published_precision": _precision(published),
        "document": item.get("document"),
        "description": item.get("description"),
    }


def _actor(item: Item, _ids: Ids) -> Row:
    return {
        "slug": item["id"],
        "name": item["name"],
        "kind": item["kind"],
        "country_code": item.get("country"),
        "description": item.get("description"),
    }


def _aliases(item: Item, actor: int, _ids: Ids) -> list[Row]:
    return [{"actor_id": actor, "alias": alias} for alias in item.get("aliases", ())]


@lru_cache(maxsize=65536)
def _window(start: str, end: str | None) -> Row:
    """What an event row and its link rows say of its dates, for the window indexes."""
    span = DateSpan.of(_date(start), _date(end) if end else None)
    # What the model's insert hook derives (models/events.py).
    return {
        "earliest": span.first,
        "latest": span.last,
        "span_class": span_class(span.first, span.last),
    }


def _linked(item: Item) -> Row:
    """The event's window columns as its link rows copy them (models.event_window_columns).
    A new event is live; the links of a stored one are set from its row after being written
    (bulk.Writer), and a trigger on events keeps them when the event changes."""
    return {**_window(item["start"], item.get("end")), "deleted_at": None}


def _event(item: Item, ids: Ids) -> Row:
    start, end = item["start"], item.get("end")
    return {
        "slug": item["id"],
        "title": item["title"],
        "summary": item["summary"],
        "text": item.get("text"),
        "type_id": ids("event_types", item["type"]),
        "importance": item["importance"],
        "start": start,
        "start_precision": _precision(start),
        "end_date": end,
        "end_precision": _precision(end),
        "is_approximate": item.get("is_approximate", False),
        "date_note": item.get("date_note"),
        **_window(start, end),
        "search_text": event_search_text(
            item["title"], item["summary"], item.get("text"), _event_labels(item, ids)
        ),
    }


def _event_labels(item: Item, ids: Ids) -> list[str]:
    """Type name, tag names, then actor names and aliases: as search_labels reads them back."""
    found = [*ids.labels("event_types", item["type"])]
    for tag in item.get("tags", ()):
        found += ids.labels("tags", tag)
    for role in item.get("actors", ()):
        found += ids.labels("actors", role["actor"])
    return found


def _quoted(quoted: Item, ids: Ids) -> Row:
    source = ids("sources", quoted["source"])
    return {"source_id": source, "quote": quoted.get("quote"), "note": quoted.get("note")}


def _event_actors(item: Item, event: int, ids: Ids) -> list[Row]:
    linked = _linked(item)
    return [
        {
            "event_id": event,
            "actor_id": ids("actors", role["actor"]),
            "role": role["role"],
            "position": n,
            **linked,
        }
        for n, role in enumerate(item.get("actors", ()))
    ]


def _event_countries(item: Item, event: int, _ids: Ids) -> list[Row]:
    linked = _linked(item)
    return [
        {"event_id": event, "country_code": code, **linked} for code in item.get("countries", ())
    ]


def _event_tags(item: Item, event: int, ids: Ids) -> list[Row]:
    linked = _linked(item)
    return [
        {"event_id": event, "tag_id": ids("tags", tag), **linked} for tag in item.get("tags", ())
    ]


def _citations(item: Item, event: int, ids: Ids) -> list[Row]:
    return [
        {"event_id": event, "position": n, **_quoted(quoted, ids)}
        for n, quoted in enumerate(item.get("citations", ()))
    ]


def _alternative_dates(item: Item, event: int, ids: Ids) -> list[Row]:
    return [
        {
            "event_id": event,
            "start": alt["start"],
            "start_precision": _precision(alt["start"]),
            "end_date": alt.get("end"),
            "end_precision": _precision(alt.get("end")),
            **_quoted(alt, ids),
        }
        for alt in item.get("alternative_dates", ())
    ]


def _series(item: Item, _ids: Ids) -> Row:
    return {
        "slug": item["id"],
        "title": item["title"],
        "description": item.get("description"),
        "unit": item["unit"],
    }


def _points(item: Item, series: int, ids: Ids) -> list[Row]:
    return [
        {
            "series_id": series,
            "period": point["period"],
            "precision": _precision(point["period"]),
            "earliest": _date(point["period"]).first,
            "latest": _date(point["period"]).last,
            "value": Decimal(str(point["value"])),  # as written: 0.1 stays 0.1
            **_quoted(point, ids),
        }
        for point in item.get("points", ())
    ]


def links(item: Item) -> list[tuple[str, str]]:
    """An event's links as (target id, kind): written once every event exists."""
    return [(link["to"], link["kind"]) for link in item.get("links", ())]


LINKS = Children(EventLink.__table__, "from_event_id", lambda _item, _event, _ids: [])  # type: ignore[arg-type]

MAPPINGS: dict[str, Mapping] = {
    "countries": Mapping(Country.__table__, _country),  # type: ignore[arg-type]
    "event_types": Mapping(EventType.__table__, _named),  # type: ignore[arg-type]
    "tags": Mapping(Tag.__table__, _named),  # type: ignore[arg-type]
    "sources": Mapping(Source.__table__, _source),  # type: ignore[arg-type]
    "actors": Mapping(
        Actor.__table__,  # type: ignore[arg-type]
        _actor,
        (Children(ActorAlias.__table__, "actor_id", _aliases),),  # type: ignore[arg-type]
    ),
    "events": Mapping(
        Event.__table__,  # type: ignore[arg-type]
        _event,
        (
            Children(EventActor.__table__, "event_id", _event_actors),  # type: ignore[arg-type]
            Children(event_countries, "event_id", _event_countries),
            Children(event_tags, "event_id", _event_tags),
            Children(Citation.__table__, "event_id", _citations),  # type: ignore[arg-type]
            Children(AlternativeDate.__table__, "event_id", _alternative_dates),  # type: ignore[arg-type]
            LINKS,
        ),
    ),
    "series": Mapping(
        Series.__table__,  # type: ignore[arg-type]
        _series,
        (Children(SeriesPoint.__table__, "series_id", _points),),  # type: ignore[arg-type]
    ),
}
