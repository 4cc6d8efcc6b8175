"""Every record in data-file form, for export: keyset batches, so memory holds one batch."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.orm import Session

from timeline_api.datafile import ORDER, SCHEMAS
from timeline_api.datafile.fastload import dump
from timeline_api.models import Country, Event
from timeline_api.queries import stored

Item = dict[str, Any]
BATCH = 2000


def export_dataset(
    session: Session, where: Sequence[ColumnElement[bool]] = (), batch: int = BATCH
) -> Iterator[tuple[str, Item]]:
    """Every record as (list name, item in file form), in the order a loader needs them.

    `where` narrows the events (deleted ones are never exported); links to events left out
    are dropped, so that the export loads on its own.
    """
    for name in ORDER:
        schema = SCHEMAS[name]
        for ids in _batches(session, name, where, batch):
            found = stored.items(session, name, ids)
            if name == "events":
                drop_hidden_links(session, found, where)
            for item in found:
                yield name, dump(schema, item)


def _batches(
    session: Session, name: str, where: Sequence[ColumnElement[bool]], size: int
) -> Iterator[Sequence[Any]]:
    """Database ids of the list's records, a batch at a time, in export order."""
    if name == "events":
        yield from _event_batches(session, where, size)
        return
    model = stored.MODELS[name]
    key = stored.key_column(name)
    own_id = model.code if model is Country else model.id
    last: str | None = None
    while True:
        statement = select(own_id, key).order_by(key).limit(size)
        rows = session.execute(statement if last is None else statement.where(key > last)).all()
        if not rows:
            return
        yield [row[0] for row in rows]
        last = rows[-1][1]


def _event_batches(
    session: Session, where: Sequence[ColumnElement[bool]], size: int
) -> Iterator[Sequence[int]]:
    """Visible events matching `where`, by (earliest, id), a batch at a time."""
    visible = [Event.deleted_at.is_(None), *where]
    statement = select(Event.id, Event.earliest).where(*visible)
    statement = statement.order_by(Event.earliest, Event.id).limit(size)
    after: tuple[Any, int] | None = None
    while True:
        page = statement
        if after is not None:
            page = statement.where(tuple_(Event.earliest, Event.id) > tuple_(*after))
        rows = session.execute(page).all()
        if not rows:
            return
        yield [row.id for row in rows]
        after = (rows[-1].earliest, rows[-1].id)


def drop_hidden_links(
    session: Session, events: list[Item], where: Sequence[ColumnElement[bool]] = ()
) -> None:
    """Links to deleted events, or to events `where` leaves out, would not load on their own."""
    targets = {link["_to_id"] for event in events for link in event["links"]}
    if not targets:
        return
    shown = set(
        session.scalars(
            select(Event.id).where(Event.id.in_(targets), Event.deleted_at.is_(None), *where)
        )
    )
    for event in events:
        event["links"] = [link for link in event["links"] if link["_to_id"] in shown]
