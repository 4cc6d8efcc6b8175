"""Short forms of records, used where one record names another."""

from __future__ import annotations

from marshmallow import fields, validate

from timeline_api.models.actors import ACTOR_KINDS
from timeline_api.models.events import ROLES
from timeline_api.schemas.common import Shown


class TypeRefSchema(Shown):
    """An event type, by id and name."""

    id = fields.String(
        attribute="slug", metadata={"description": "Type id.", "example": "court-ruling"}
    )
    name = fields.String(metadata={"description": "Type name.", "example": "Court ruling"})


class TagRefSchema(Shown):
    """A tag, by id and name."""

    id = fields.String(attribute="slug", metadata={"description": "Tag id.", "example": "cyber"})
    name = fields.String(metadata={"description": "Tag name.", "example": "Cyber operations"})


class CountryRefSchema(Shown):
    """A country (ISO 3166-1 alpha-2)."""

    code = fields.String(metadata={"description": "Alpha-2 code.", "example": "TW"})
    name = fields.String(metadata={"description": "English short name.", "example": "Taiwan"})


class ActorRoleSchema(Shown):
    """An actor and its role in an event."""

    id = fields.String(
        attribute="actor.slug", metadata={"description": "Actor id.", "example": "icefcom"}
    )
    name = fields.String(
        attribute="actor.name",
        metadata={
            "description": "Actor name.",
            "example": "Information, Communications and Electronic Force Command",
        },
    )
    kind = fields.String(
        attribute="actor.kind",
        validate=validate.OneOf(ACTOR_KINDS),
        metadata={
            "description": "state, agency, military_unit, group, company, organisation or person.",
            "example": "military_unit",
        },
    )
    role = fields.String(
        validate=validate.OneOf(ROLES),
        metadata={
            "description": "accuser, accused, perpetrator, target, victim, announcer, source, "
            "subject, investigator, court, author, participant or denier.",
            "example": "target",
        },
    )


class SourceRefSchema(Shown):
    """A source, as a citation shows it."""

    id = fields.String(
        attribute="slug",
        metadata={
            "description": "Source id.",
            "example": "intelnews-taiwan-soldiers-jailed-2025",
        },
    )
    publisher = fields.String(metadata={"description": "Who published it.", "example": "intelNews"})
    title = fields.String(
        metadata={
            "description": "Title.",
            "example": "Taiwan jails soldiers guarding president’s office for spying for China",
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
        metadata={"description": "Publication date, as precise as known.", "example": "2025-03-31"},
    )


class EventRefSchema(Shown):
    """Another event, by id, title and dates."""

    id = fields.String(
        attribute="slug",
        metadata={"description": "Event id.", "example": "tw-four-soldiers-espionage"},
    )
    title = fields.String(
        metadata={"description": "Title.", "example": "Four Taiwanese soldiers spy for China"}
    )
    start = fields.String(metadata={"description": "Start, as entered.", "example": "2022"})
    end = fields.String(
        allow_none=True, metadata={"description": "End, as entered.", "example": "2024"}
    )
