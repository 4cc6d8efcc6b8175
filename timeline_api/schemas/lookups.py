"""Actors, sources, tags, event types, countries: list arguments and records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import fields, post_load, validate

from timeline_api.models.actors import ACTOR_KINDS
from timeline_api.models.common import PRECISIONS
from timeline_api.queries.lookups import by_slug
from timeline_api.queries.paging import Key
from timeline_api.schemas.common import Documented, Shown
from timeline_api.schemas.fields import Pattern
from timeline_api.schemas.paging import (
    Repeated,
    cursor_field,
    decode_cursor,
    limit_field,
)
from timeline_api.schemas.refs import CountryRefSchema


@dataclass(frozen=True)
class ListArgs:
    """A page request for a list ordered by id, with any filters."""

    limit: int
    after: Key | None
    filters: dict[str, Any] = field(default_factory=dict)


def list_query(model: Any, name: str, **filters: fields.Field[Any]) -> type[Documented]:
    """A query schema for a list of `model`: `limit`, `cursor` and `filters`."""

    def to_args(self: Any, data: dict[str, Any], **_kwargs: Any) -> ListArgs:
        cursor = data.pop("cursor", None)
        after = decode_cursor(cursor, by_slug(model)) if cursor else None
        return ListArgs(limit=data.pop("limit"), after=after, filters=data)

    attributes: dict[str, Any] = {
        "__doc__": f"Page through {name} in id order.",
        "limit": limit_field(100),
        "cursor": cursor_field(),
        **filters,
        "_to_args": post_load(to_args),
    }
    return type(f"{model.__name__}Query", (Documented,), attributes)


def q_field(what: str, example: str) -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": f"Text that must occur in the {what} (case-insensitive).",
            "example": example,
        },
    )


ACTOR_FILTERS: dict[str, fields.Field[Any]] = {
    "kind": Repeated(
        fields.String(validate=validate.OneOf(ACTOR_KINDS)),
        metadata={"description": "Only actors of these kinds.", "example": ["military_unit"]},
    ),
    "country": Repeated(
        fields.String(
            validate=Pattern(r"^[A-Z]{2}$", error=("is not an ISO 3166-1 alpha-2 code such as TW"))
        ),
        metadata={"description": "Only actors of these countries.", "example": ["TW"]},
    ),
    "q": q_field("name or an alias", "ICEFCOM"),
}


def _id(example: str) -> fields.String:
    return fields.String(
        attribute="slug", metadata={"description": "Stable id.", "example": example}
    )


def _count() -> fields.Integer:
    return fields.Integer(metadata={"description": "How many events refer to it.", "example": 3})


class ActorSchema(Shown):
    """A state, agency, military unit, group, company, organisation or public person."""

    id = _id("icefcom")
    name = fields.String(
        metadata={
            "description": "Name.",
            "example": "Information, Communications and Electronic Force Command",
        }
    )
    kind = fields.String(
        validate=validate.OneOf(ACTOR_KINDS),
        metadata={"description": ", ".join(ACTOR_KINDS) + ".", "example": "military_unit"},
    )
    country = fields.String(
        attribute="country_code",
        allow_none=True,
        metadata={"description": "ISO 3166-1 alpha-2 code, if any.", "example": "TW"},
    )
    description = fields.String(
        allow_none=True,
        metadata={"description": "Who they are.", "example": "Taiwan's cyber force."},
    )
    aliases = fields.Pluck(
        "AliasSchema",
        "alias",
        many=True,
        metadata={"description": "Other names and spellings.", "example": ["ICEFCOM", "ISEFCOM"]},
    )


class AliasSchema(Shown):
    """Another name of an actor."""

    alias = fields.String(metadata={"description": "The name.", "example": "ICEFCOM"})


class ActorDetailSchema(ActorSchema):
    """An actor, with how many events name it."""

    event_count = _count()


class SourceSchema(Shown):
    """A document or page that events cite."""

    id = _id("intelnews-taiwan-soldiers-jailed-2025")
    publisher = fields.String(metadata={"description": "Who published it.", "example": "intelNews"})
    title = fields.String(
        metadata={
            "description": "The publisher's headline, unless `title_is_descriptive`.",
            "example": "Taiwan jails soldiers guarding president’s office for spying for China",
        }
    )
    title_is_descriptive = fields.Boolean(
        metadata={
            "description": "True when the title is ours (the page has no headline, or it was "
            "not seen), not the publisher's.",
            "example": False,
        }
    )
    author = fields.String(
        allow_none=True,
        metadata={"description": "Author, if known.", "example": "Joseph Fitsanakis"},
    )
    url = fields.String(
        allow_none=True,
        metadata={"format": "uri", "description": "Address, when known.", "example": None},
    )
    published = fields.String(
        allow_none=True,
        metadata={
            "description": "Publication date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD.",
            "example": "2025-03-31",
        },
    )
    published_precision = fields.String(
        allow_none=True,
        validate=validate.OneOf(PRECISIONS),
        metadata={"description": "year, month or day.", "example": "day"},
    )
    document = fields.String(
        allow_none=True,
        metadata={
            "description": "The stored copy its quotes are checked against, if any.",
            "example": "002_e20ddba488680f31.txt",
        },
    )
    description = fields.String(
        allow_none=True, metadata={"description": "Notes on it.", "example": None}
    )


class SourceDetailSchema(SourceSchema):
    """A source, with how many events cite it."""

    event_count = _count()


class TagSchema(Shown):
    """A label that groups events across types and actors."""

    id = _id("cyber")
    name = fields.String(metadata={"description": "Name.", "example": "Cyber operations"})
    description = fields.String(
        allow_none=True, metadata={"description": "What it covers.", "example": None}
    )


class TagDetailSchema(TagSchema):
    """A tag, with how many events carry it."""

    event_count = _count()


class EventTypeSchema(TagSchema):
    """A kind of event: an arrest, a court ruling, a report, ..."""

    id = _id("court-ruling")
    name = fields.String(metadata={"description": "Name.", "example": "Court ruling"})


class EventTypeDetailSchema(EventTypeSchema):
    """An event type, with how many events are of it."""

    event_count = _count()


class CountryListSchema(Shown):
    """Every country an event or actor refers to."""

    data = fields.List(fields.Nested(CountryRefSchema), metadata={"description": "Countries."})
