"""The relational model: events and everything they cite, name and link."""

from __future__ import annotations

from timeline_api.models.actors import Actor, ActorAlias, Country
from timeline_api.models.audit import ApiToken, Import, Revision
from timeline_api.models.events import (
    AlternativeDate,
    Citation,
    Event,
    EventActor,
    EventCount,
    EventLink,
    EventType,
    event_countries,
    event_tags,
)
from timeline_api.models.series import Series, SeriesPoint
from timeline_api.models.sources import Source
from timeline_api.models.tags import Tag

__all__ = [
    "Actor",
    "ActorAlias",
    "AlternativeDate",
    "ApiToken",
    "Citation",
    "Country",
    "Event",
    "EventActor",
    "EventCount",
    "EventLink",
    "EventType",
    "Import",
    "Revision",
    "Series",
    "SeriesPoint",
    "Source",
    "Tag",
    "event_countries",
    "event_tags",
]
