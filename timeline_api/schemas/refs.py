"""Short forms of records, used where one record names another."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from flask import url_for
from marshmallow import fields, validate

from timeline_api.models.actors import ACTOR_KINDS
from timeline_api.models.events import ROLES
from timeline_api.queries import documents
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


class QuoteLocationSchema(Shown):
    """Where a quote lies in its source's stored document (GET /v1/sources/{id}/document)."""

    start = fields.Integer(
        metadata={
            "description": "Offset of the quote's first character in the document's body, in "
            "characters (Unicode code points).",
            "example": 1243,
        }
    )
    end = fields.Integer(
        metadata={"description": "Offset just after its last character.", "example": 1398}
    )
    url = fields.String(
        metadata={
            "description": "The document, opened and highlighted at the quote by browsers that "
            "support text fragments (`#:~:text=`).",
            "example": "http://127.0.0.1:8000/v1/sources/intelnews-taiwan-soldiers-jailed-2025/"
            "document#:~:text=At%20the%20conclusion%20of,national%20security%20law.",
        }
    )


class QuoteLocation(fields.Nested):
    """A record's quote located in its source's document; null when the source has none."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(QuoteLocationSchema, allow_none=True, dump_only=True, **kwargs)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        if isinstance(obj, dict):  # a list's plain record (queries.included)
            return located(SimpleNamespace(**obj["source"]), obj.get("quote"))
        return located(obj.source, obj.quote)


def located(source: Any, quote: str | None) -> dict[str, Any] | None:
    """`quote`'s place in `source`'s served document, with a link there; None without one."""
    found = documents.passage(source, quote)
    if found is None:
        return None
    fragment = _fragment(found.first_words)
    if found.last_words is not None:
        fragment += "," + _fragment(found.last_words)
    page = url_for("sources.SourceDocument", id=source.slug, _external=True)
    return {"start": found.start, "end": found.end, "url": f"{page}#:~:text={fragment}"}


def _fragment(words: str) -> str:
    """Text for a text directive: percent-encoded, `-` `,` `&` included (they are syntax)."""
    return quote(words, safe="").replace("-", "%2D")
