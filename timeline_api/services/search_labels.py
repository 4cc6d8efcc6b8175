"""What an event is searched by beyond its own words: its type's name, its tags' names, and its
actors' names and aliases. A journalist types "espionage" or "ICEFCOM" and expects the events
of that type or actor even when their text words it otherwise.

Those names go into `events.search_text` (search.search_text) with the event's title, summary
and text. The write path (services.rows) puts them in as it writes an event; when a type, tag or
actor is renamed, the events naming it are indexed again here (services.bulk); revision 0008
indexes every stored event once. Plain tables, not the models: migrations use this too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, column, select, table, update

from timeline_api.search import search_text

_BATCH = 2000  # events per round trip

EVENTS = table(
    "events",
    column("id"),
    column("title"),
    column("summary"),
    column("text"),
    column("type_id"),
    column("search_text"),
)
TYPES = table("event_types", column("id"), column("slug"), column("name"))
TAGS = table("tags", column("id"), column("slug"), column("name"))
EVENT_TAGS = table("event_tags", column("event_id"), column("tag_id"))
ACTORS = table("actors", column("id"), column("slug"), column("name"))
ALIASES = table("actor_aliases", column("id"), column("actor_id"), column("alias"))
EVENT_ACTORS = table("event_actors", column("event_id"), column("actor_id"), column("position"))

# Which link table ties each list's records to events.
REFERRING = {
    "event_types": (EVENTS.c.type_id, EVENTS.c.id),
    "tags": (EVENT_TAGS.c.tag_id, EVENT_TAGS.c.event_id),
    "actors": (EVENT_ACTORS.c.actor_id, EVENT_ACTORS.c.event_id),
}


def event_search_text(title: str, summary: str, text: str | None, labels: Iterable[str]) -> str:
    """The indexed text of an event: its own words, then the names it is labelled with."""
    return search_text(title, summary, text, *dict.fromkeys(labels))


def events_naming(connection: Connection, name: str, ids: Sequence[int]) -> list[int]:
    """The events that refer to any of these records of list `name`."""
    record, event = REFERRING[name]
    found: set[int] = set()
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        found.update(connection.execute(select(event).where(record.in_(chunk))).scalars())
    return sorted(found)


def reindex(connection: Connection, event_ids: Sequence[int]) -> None:
    """Write `search_text` of these events afresh from what is stored."""
    for start in range(0, len(event_ids), _BATCH):
        _reindex_batch(connection, list(event_ids[start : start + _BATCH]))


def reindex_all(connection: Connection) -> None:
    """Write `search_text` of every event afresh, a batch of ids at a time."""
    after = 0
    while True:
        ids = list(
            connection.execute(
                select(EVENTS.c.id).where(EVENTS.c.id > after).order_by(EVENTS.c.id).limit(_BATCH)
            ).scalars()
        )
        if not ids:
            return
        _reindex_batch(connection, ids)
        after = ids[-1]


def _reindex_batch(connection: Connection, ids: list[int]) -> None:
    events = connection.execute(
        select(EVENTS.c.id, EVENTS.c.title, EVENTS.c.summary, EVENTS.c.text, TYPES.c.name)
        .join(TYPES, TYPES.c.id == EVENTS.c.type_id)
        .where(EVENTS.c.id.in_(ids))
    ).all()
    labels = _labels(connection, ids)
    values = [
        {
            "_id": row.id,
            "search_text": event_search_text(
                row.title, row.summary, row.text, [row.name, *labels[row.id]]
            ),
        }
        for row in events
    ]
    if values:
        statement = update(EVENTS).where(EVENTS.c.id == bindparam("_id"))
        connection.execute(statement.values(search_text=bindparam("search_text")), values)


def _labels(connection: Connection, ids: list[int]) -> dict[int, list[str]]:
    """Tag names, then actor names and aliases (in the event's actor order), per event."""
    found: dict[int, list[str]] = defaultdict(list)
    tags = (
        select(EVENT_TAGS.c.event_id, TAGS.c.name)
        .join(TAGS, TAGS.c.id == EVENT_TAGS.c.tag_id)
        .where(EVENT_TAGS.c.event_id.in_(ids))
        .order_by(EVENT_TAGS.c.event_id, TAGS.c.slug)  # as an item lists them
    )
    for event_id, name in connection.execute(tags):
        found[event_id].append(name)
    named = select(EVENT_ACTORS.c.actor_id).where(EVENT_ACTORS.c.event_id.in_(ids))
    aliases = (
        select(ALIASES.c.actor_id, ALIASES.c.alias)
        .where(ALIASES.c.actor_id.in_(named))
        .order_by(ALIASES.c.actor_id, ALIASES.c.id)
    )
    by_actor: dict[Any, list[str]] = defaultdict(list)
    for actor_id, alias in connection.execute(aliases):
        by_actor[actor_id].append(alias)
    actors = (
        select(EVENT_ACTORS.c.event_id, ACTORS.c.id, ACTORS.c.name)
        .join(ACTORS, ACTORS.c.id == EVENT_ACTORS.c.actor_id)
        .where(EVENT_ACTORS.c.event_id.in_(ids))
        .order_by(EVENT_ACTORS.c.event_id, EVENT_ACTORS.c.position)
    )
    for event_id, actor_id, name in connection.execute(actors):
        found[event_id] += [name, *by_actor[actor_id]]
    return found


def names(connection: Connection, name: str, key: str) -> tuple[str, ...]:
    """The names the record `key` of list `name` labels its events with (none if unknown)."""
    if name == "actors":
        actor = connection.execute(
            select(ACTORS.c.id, ACTORS.c.name).where(ACTORS.c.slug == key)
        ).first()
        if actor is None:
            return ()
        aliases = select(ALIASES.c.alias).where(ALIASES.c.actor_id == actor.id)
        return (actor.name, *connection.execute(aliases.order_by(ALIASES.c.id)).scalars())
    named = TYPES if name == "event_types" else TAGS
    return tuple(connection.execute(select(named.c.name).where(named.c.slug == key)).scalars())


def item_names(name: str, item: dict[str, Any]) -> tuple[str, ...]:
    """The names a type, tag or actor in file form labels its events with."""
    return (item["name"], *item.get("aliases", ())) if name == "actors" else (item["name"],)
