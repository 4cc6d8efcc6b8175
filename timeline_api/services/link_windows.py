"""The window columns an event's link rows copy from it (models.event_window_columns), set
again from the events table for events whose links were just rewritten."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, select, update

from timeline_api.models import Event, EventActor, event_countries, event_tags

LINKS: tuple[Table, ...] = (EventActor.__table__, event_countries, event_tags)  # type: ignore[assignment]
COPIED = ("span_class", "earliest", "latest", "deleted_at")


def refresh(connection: Connection, events: Sequence[int]) -> None:
    """Copy the window columns of `events` (at most a few hundred ids) into their links.

    services.rows fills the links of an item as a new, live event's; a stored event may be
    soft-deleted, and its rewritten links must say so too.
    """
    if not events:
        return
    for table in LINKS:
        copied = {
            name: select(Event.__table__.c[name])
            .where(Event.id == table.c.event_id)
            .scalar_subquery()
            for name in COPIED
        }
        connection.execute(update(table).where(table.c.event_id.in_(events)).values(copied))
