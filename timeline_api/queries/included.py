"""What `include=` adds to a page of event records: citations and links, one query each.

A page of 50 events gets its citations in one statement and its links in two (outgoing and
incoming), whatever the page's size: a sourced page costs a fixed number of queries, not one
detail request per event. Records keep the shapes the detail schemas read.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, String, bindparam, literal, select
from sqlalchemy.orm import Session, aliased

from timeline_api.models import Citation, Event, EventLink, Source
from timeline_api.queries.listing import Record, Rows

INCLUDES = ("citations", "links")

_IDS: BindParameter[int] = bindparam("ids", expanding=True)


def add(session: Session, records: list[Record], include: tuple[str, ...]) -> None:
    """Give each record the `include`d members (records carry their internal `id`)."""
    if not records or not include:
        return
    bound = {"ids": [record["id"] for record in records]}
    if "citations" in include:
        cited = _by_event(session.execute(_citations(), bound))
        for record in records:
            record["citations"] = cited.get(record["id"], [])
    if "links" in include:
        linked = _by_event(session.execute(_links("outgoing"), bound))
        for event_id, found in _by_event(session.execute(_links("incoming"), bound)).items():
            linked[event_id] = linked.get(event_id, []) + found
        for record in records:
            record["connections"] = linked.get(record["id"], [])


def _by_event(rows: Any) -> dict[int, list[Record]]:
    grouped: dict[int, list[Record]] = defaultdict(list)
    for row in rows:
        values = row._mapping
        grouped[values["event_id"]].append(_nested(values))
    return grouped


def _nested(values: Any) -> Record:
    """`source_title` → {"source": {"title": ...}}, as the relationship would give it."""
    record: Record = {}
    for name, value in values.items():
        if name == "event_id":
            continue
        head, _, tail = name.partition("__")
        if tail:
            record.setdefault(head, {})[tail] = value
        else:
            record[name] = value
    return record


@lru_cache(maxsize=1)
def _citations() -> Rows:
    return (
        select(
            Citation.event_id,
            Citation.quote,
            Citation.note,
            Source.slug.label("source__slug"),
            Source.publisher.label("source__publisher"),
            Source.title.label("source__title"),
            Source.title_is_descriptive.label("source__title_is_descriptive"),
            Source.author.label("source__author"),
            Source.url.label("source__url"),
            Source.published.label("source__published"),
            Source.document.label("source__document"),  # to locate the quote in it
        )
        .join(Source, Source.id == Citation.source_id)
        .where(Citation.event_id.in_(_IDS))
        .order_by(Citation.event_id, Citation.position, Citation.id)
    )


@lru_cache(maxsize=2)
def _links(direction: str) -> Rows:
    """Links from (outgoing) or to (incoming) the page's events; deleted events stay hidden."""
    other = aliased(Event)
    mine, theirs = (
        (EventLink.from_event_id, EventLink.to_event_id)
        if direction == "outgoing"
        else (EventLink.to_event_id, EventLink.from_event_id)
    )
    return (
        select(
            mine.label("event_id"),
            EventLink.kind,
            literal(direction, String()).label("direction"),
            other.slug.label("event__slug"),
            other.title.label("event__title"),
            other.start.label("event__start"),
            other.end.label("event__end"),
        )
        .join(other, other.id == theirs)
        .where(mine.in_(_IDS), other.deleted_at.is_(None))
        .order_by(mine, EventLink.id)
    )
