"""Stored records as data-file items, a batch at a time in a fixed number of queries.

Items come out in their loaded shape (what the schema's `load` gives, dates as text), ready for
the schema's `dump`: the export, history snapshots and digests all read records this way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, aliased

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

Item = dict[str, Any]
# The model of each list, and the column holding its public id.
MODELS: dict[str, Any] = {
    "countries": Country,
    "event_types": EventType,
    "tags": Tag,
    "sources": Source,
    "actors": Actor,
    "events": Event,
    "series": Series,
}


def key_column(name: str) -> Any:
    """The column holding the public id of the list `name` (a slug; the code for countries)."""
    model = MODELS[name]
    return model.code if model is Country else model.slug


def items(session: Session, name: str, ids: Sequence[Any]) -> list[Item]:
    """The records of list `name` with these database ids (codes for countries), in that order."""
    if not ids:
        return []
    found = _READERS[name](session, ids)
    return [found[id] for id in ids if id in found]


def _rows(session: Session, statement: Any) -> Sequence[Row[Any]]:
    """Core rows, without the ORM's result handling (these are plain columns)."""
    return session.connection().execute(statement).all()


def _countries(session: Session, codes: Sequence[Any]) -> dict[Any, Item]:
    rows = _rows(session, select(Country.code, Country.name).where(Country.code.in_(codes)))
    return {row.code: {"code": row.code, "name": row.name} for row in rows}


def _named(model: Any) -> Any:
    def read(session: Session, ids: Sequence[Any]) -> dict[Any, Item]:
        statement = select(model.id, model.slug, model.name, model.description)
        rows = _rows(session, statement.where(model.id.in_(ids)))
        return {r.id: {"id": r.slug, "name": r.name, "description": r.description} for r in rows}

    return read


def _sources(session: Session, ids: Sequence[Any]) -> dict[Any, Item]:
    columns = ("publisher", "title", "author", "url", "published", "document", "description")
    statement = select(Source.id, Source.slug, *(getattr(Source, name) for name in columns))
    statement = statement.add_columns(Source.title_is_descriptive)
    return {
        row.id: {
            "id": row.slug,
            **{name: getattr(row, name) for name in columns},
            # Left out when false, as files leave it out: digests of older records still hold.
            "title_is_descriptive": True if row.title_is_descriptive else None,
        }
        for row in _rows(session, statement.where(Source.id.in_(ids)))
    }


def _actors(session: Session, ids: Sequence[Any]) -> dict[Any, Item]:
    aliases = _grouped(
        session,
        select(ActorAlias.actor_id, ActorAlias.alias)
        .where(ActorAlias.actor_id.in_(ids))
        .order_by(ActorAlias.actor_id, ActorAlias.id),
    )
    statement = select(
        Actor.id, Actor.slug, Actor.name, Actor.kind, Actor.country_code, Actor.description
    ).where(Actor.id.in_(ids))
    return {
        row.id: {
            "id": row.slug,
            "name": row.name,
            "kind": row.kind,
            "country": row.country_code,
            "description": row.description,
            "aliases": [alias for (alias,) in aliases[row.id]],
        }
        for row in _rows(session, statement)
    }


def _grouped(session: Session, statement: Any) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows by their first column, which is left out."""
    groups: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for row in session.connection().execute(statement):
        groups[row[0]].append(tuple(row[1:]))
    return groups


def _quoted(source: str, quote: str | None, note: str | None) -> Item:
    return {"source": source, "quote": quote, "note": note}


def _events(session: Session, ids: Sequence[Any]) -> dict[Any, Item]:
    target = aliased(Event)
    children = {
        name: _grouped(session, statement)
        for name, statement in {
            "actors": select(EventActor.event_id, Actor.slug, EventActor.role)
            .join(Actor, Actor.id == EventActor.actor_id)
            .where(EventActor.event_id.in_(ids))
            .order_by(EventActor.event_id, EventActor.position),
            "countries": select(event_countries.c.event_id, event_countries.c.country_code).where(
                event_countries.c.event_id.in_(ids)
            ),
            "tags": select(event_tags.c.event_id, Tag.slug)
            .join(Tag, Tag.id == event_tags.c.tag_id)
            .where(event_tags.c.event_id.in_(ids)),
            "citations": select(Citation.event_id, Source.slug, Citation.quote, Citation.note)
            .join(Source, Source.id == Citation.source_id)
            .where(Citation.event_id.in_(ids))
            .order_by(Citation.event_id, Citation.position),
            "alternative_dates": select(
                AlternativeDate.event_id,
                AlternativeDate.start,
                AlternativeDate.end,
                Source.slug,
                AlternativeDate.quote,
                AlternativeDate.note,
            )
            .join(Source, Source.id == AlternativeDate.source_id)
            .where(AlternativeDate.event_id.in_(ids))
            .order_by(AlternativeDate.event_id, AlternativeDate.id),
            "links": select(EventLink.from_event_id, target.slug, EventLink.kind, target.id)
            .join(target, target.id == EventLink.to_event_id)
            .where(EventLink.from_event_id.in_(ids))
            .order_by(EventLink.from_event_id, EventLink.id),
        }.items()
    }
    own: tuple[str, ...] = ("id", "slug", "title", "summary", "text", "importance", "start")
    own += ("end_date",)
    own += ("is_approximate", "date_note")
    statement = (
        select(*(Event.__table__.c[name] for name in own), EventType.slug.label("type_slug"))
        .join(EventType, EventType.id == Event.type_id)
        .where(Event.id.in_(ids))
    )
    return {row.id: _event(row, children) for row in _rows(session, statement)}


def _event(row: Row[Any], children: dict[str, dict[Any, list[tuple[Any, ...]]]]) -> Item:
    own = {name: groups.get(row.id, []) for name, groups in children.items()}
    return {
        "id": row.slug,
        "title": row.title,
        "summary": row.summary,
        "text": row.text,
        "type": row.type_slug,
        "importance": row.importance,
        "start": row.start,
        "end": row.end_date,
        "is_approximate": row.is_approximate,
        "date_note": row.date_note,
        "actors": [{"actor": actor, "role": role} for actor, role in own["actors"]],
        # In code point order, as loading sorts them (a database's collation may differ).
        "countries": sorted(code for (code,) in own["countries"]),
        "tags": sorted(slug for (slug,) in own["tags"]),
        "citations": [_quoted(*cited) for cited in own["citations"]],
        "alternative_dates": [
            {"start": start, "end": end, **_quoted(source, quote, note)}
            for start, end, source, quote, note in own["alternative_dates"]
        ],
        # The target's database id rides along, for an export to drop links to hidden events.
        "links": [{"to": slug, "kind": kind, "_to_id": to} for slug, kind, to in own["links"]],
    }


def _series(session: Session, ids: Sequence[Any]) -> dict[Any, Item]:
    points = _grouped(
        session,
        select(
            SeriesPoint.series_id,
            SeriesPoint.period,
            SeriesPoint.value,
            Source.slug,
            SeriesPoint.quote,
            SeriesPoint.note,
        )
        .join(Source, Source.id == SeriesPoint.source_id)
        .where(SeriesPoint.series_id.in_(ids)),
    )
    statement = select(Series.id, Series.slug, Series.title, Series.description, Series.unit)
    return {
        row.id: {
            "id": row.slug,
            "title": row.title,
            "description": row.description,
            "unit": row.unit,
            "points": [
                {"period": period, "value": value, **_quoted(source, quote, note)}
                for period, value, source, quote, note in sorted(points[row.id])
            ],
        }
        for row in _rows(session, statement.where(Series.id.in_(ids)))
    }


_READERS = {
    "countries": _countries,
    "event_types": _named(EventType),
    "tags": _named(Tag),
    "sources": _sources,
    "actors": _actors,
    "events": _events,
    "series": _series,
}
