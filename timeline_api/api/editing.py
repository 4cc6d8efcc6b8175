"""Which resources can be edited over HTTP, and how each is loaded as its GET shows it."""

from __future__ import annotations

from typing import Any

from timeline_api import db
from timeline_api.api import events, lookups, series, writes
from timeline_api.datafile import schemas as bodies
from timeline_api.models import Actor, EventType, Source, Tag
from timeline_api.queries import lookups as lookup_queries
from timeline_api.schemas import lookups as details
from timeline_api.schemas.events import EventDetailSchema
from timeline_api.schemas.series import SeriesDetailSchema


def _series(id: str) -> Any:
    return lookup_queries.series(db.session(), id)


RESOURCES = (
    writes.Resource(
        "events",
        "event",
        events.blp,
        bodies.EventItemSchema,
        EventDetailSchema,
        events.found,
        "events.EventDetail",
        "tw-four-soldiers-sentenced-2025",
    ),
    writes.Resource(
        "actors",
        "actor",
        lookups.actors,
        bodies.ActorItemSchema,
        details.ActorDetailSchema,
        lambda id: lookups.found(Actor, id),
        "actors.ActorDetail",
        "icefcom",
    ),
    writes.Resource(
        "sources",
        "source",
        lookups.sources,
        bodies.SourceItemSchema,
        details.SourceDetailSchema,
        lambda id: lookups.found(Source, id),
        "sources.SourceDetail",
        "intelnews-taiwan-soldiers-jailed-2025",
    ),
    writes.Resource(
        "tags",
        "tag",
        lookups.tags,
        bodies.TagItemSchema,
        details.TagDetailSchema,
        lambda id: lookups.found(Tag, id),
        "tags.TagDetail",
        "cyber",
    ),
    writes.Resource(
        "event_types",
        "event type",
        lookups.event_types,
        bodies.EventTypeItemSchema,
        details.EventTypeDetailSchema,
        lambda id: lookups.found(EventType, id),
        "event-types.EventTypeDetail",
        "court-ruling",
    ),
    writes.Resource(
        "series",
        "series",
        series.blp,
        bodies.SeriesItemSchema,
        SeriesDetailSchema,
        _series,
        "series.SeriesDetail",
        "tw-nsb-chinese-espionage-prosecutions",
    ),
)

for resource in RESOURCES:  # once, at import: routes belong to the module-level blueprints
    writes.register(resource)
