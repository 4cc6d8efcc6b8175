"""A page of events as plain records: what a list shows, in four Core queries.

A list needs no ORM identity map, change tracking or lazy loading: for fifty events those cost
more than the SQL. The records here are dicts shaped like the models (`type.slug`,
`actors[].actor.name`, ...), so the same response schemas dump them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import BindParameter, Result, Select, bindparam, exists, select

from timeline_api.models import (
    Actor,
    AlternativeDate,
    Country,
    Event,
    EventActor,
    EventType,
    Tag,
    event_countries,
    event_tags,
)

Record = dict[str, Any]
Rows = Select[*tuple[Any, ...]]
LISTED = (
    Event.slug,
    Event.title,
    Event.summary,
    Event.importance,
    Event.start,
    Event.start_precision,
    Event.end,
    Event.end_precision,
    Event.earliest,
    Event.latest,
    Event.is_approximate,
    Event.date_note,
    Event.updated_at,
)


def records(session: Any, ids: list[int], with_text: bool = False) -> list[Record]:
    """The events of `ids`, in that order, as the list schema reads them."""
    if not ids:
        return []
    bound = {"ids": ids}
    found: dict[int, Record] = {}
    for row in session.execute(_events(with_text), bound):
        record = dict(row._mapping)  # keeps `id`, the internal key; the schemas show `slug`
        event_id = record["id"]
        record["type"] = {"slug": record.pop("type_slug"), "name": record.pop("type_name")}
        found[event_id] = record
    for name, statement in _RELATED.items():
        grouped = _grouped(session.execute(statement(), bound))
        for event_id, record in found.items():
            record[name] = grouped.get(event_id, [])
    return [found[event_id] for event_id in ids]


def _grouped(result: Result[Any]) -> dict[int, list[Record]]:
    grouped: dict[int, list[Record]] = defaultdict(list)
    shape = _shaper(tuple(result.keys())[1:])
    for row in result:
        grouped[row[0]].append(shape(row[1:]))
    return grouped


@cache
def _shaper(names: tuple[str, ...]) -> Callable[[Sequence[Any]], Record]:
    """Columns → record: `actor_slug` → {"actor": {"slug": ...}}, the shape of the model's
    relationship. Made once per statement, as asking each row for its names is slow."""
    nested = [
        (n, name.removeprefix("actor_"))
        for n, name in enumerate(names)
        if name.startswith("actor_")
    ]
    plain = [(n, name) for n, name in enumerate(names) if not name.startswith("actor_")]

    def shape(values: Sequence[Any]) -> Record:
        record = {name: values[n] for n, name in plain}
        if nested:
            record["actor"] = {name: values[n] for n, name in nested}
        return record

    return shape


_IDS: BindParameter[int] = bindparam("ids", expanding=True)


@lru_cache(maxsize=2)
def _events(with_text: bool) -> Rows:
    disputed = exists().where(AlternativeDate.event_id == Event.id)
    columns = [*LISTED, Event.text] if with_text else list(LISTED)
    return (
        select(
            Event.id,
            *columns,
            disputed.label("is_disputed"),
            EventType.slug.label("type_slug"),
            EventType.name.label("type_name"),
        )
        .join(EventType, EventType.id == Event.type_id)
        .where(Event.id.in_(_IDS))
    )


@lru_cache(maxsize=1)
def _actors() -> Rows:
    return (
        select(
            EventActor.event_id,
            Actor.slug.label("actor_slug"),
            Actor.name.label("actor_name"),
            Actor.kind.label("actor_kind"),
            EventActor.role,
        )
        .join(Actor, Actor.id == EventActor.actor_id)
        .where(EventActor.event_id.in_(_IDS))
        .order_by(EventActor.event_id, EventActor.position)
    )


@lru_cache(maxsize=1)
def _countries() -> Rows:
    return (
        select(event_countries.c.event_id, Country.code, Country.name)
        .join(Country, Country.code == event_countries.c.country_code)
        .where(event_countries.c.event_id.in_(_IDS))
        .order_by(event_countries.c.event_id, Country.code)
    )


@lru_cache(maxsize=1)
def _tags() -> Rows:
    return (
        select(event_tags.c.event_id, Tag.slug, Tag.name)
        .join(Tag, Tag.id == event_tags.c.tag_id)
        .where(event_tags.c.event_id.in_(_IDS))
        .order_by(event_tags.c.event_id, Tag.slug)
    )


_RELATED = {"actors": _actors, "countries": _countries, "tags": _tags}
