"""Revisions: a record's history and the changes feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from timeline_api.datafile import ORDER
from timeline_api.models.audit import ACTIONS, RECORD_TYPES
from timeline_api.schemas.common import Documented, PageMetaSchema, Shown, page_schema
from timeline_api.schemas.paging import Repeated, cursor_field, limit_field

# Change ids are BIGINT: a larger one names no change, and no database could compare it.
LARGEST_ID = 2**63 - 1
RECORD = {"id": "tw-four-soldiers-sentenced-2025", "title": "…", "start": "2025-03-26"}


class RevisionSchema(Shown):
    """One change to one record."""

    id = fields.Integer(
        metadata={
            "description": "The change id: increases with every change anywhere.",
            "example": 212,
        }
    )
    record_type = fields.String(
        validate=validate.OneOf(ORDER),
        metadata={
            "description": "events, actors, sources, tags, event_types, series or countries.",
            "example": "events",
        },
    )
    record_id = fields.String(
        metadata={"description": "The record's id.", "example": "tw-four-soldiers-sentenced-2025"}
    )
    action = fields.String(
        validate=validate.OneOf(["create", "update", "delete", "restore"]),
        metadata={"description": "create, update, delete or restore.", "example": "update"},
    )
    author = fields.String(
        metadata={
            "description": "The token's name, or `seed`/`import` for loads.",
            "example": "desk",
        }
    )
    at = fields.DateTime(
        attribute="created_at",
        metadata={"description": "When it was made (UTC).", "example": "2026-11-23T11:00:00+00:00"},
    )
    before = fields.Dict(
        allow_none=True,
        metadata={
            "description": "The record before, in the data-file format; null when created.",
            "example": RECORD,
        },
    )
    after = fields.Dict(
        allow_none=True,
        metadata={"description": "The record after; null when deleted.", "example": RECORD},
    )
    import_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The import (`timeline-api import`, `POST /v1/import`) that made it; "
            "null for a change made through the API.",
            "example": None,
        },
    )


class HistoryQuery(Documented):
    """Page through revisions, oldest first."""

    limit = limit_field(100)
    cursor = cursor_field()


class SinceField(fields.Field[Any]):
    """A change id, or an ISO 8601 timestamp."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = str(value).strip()
        if text.isdigit():
            if int(text) > LARGEST_ID:
                raise ValidationError(f"must be a change id up to {LARGEST_ID}")
            return int(text)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                "must be a change id (a whole number) or an ISO 8601 timestamp"
            ) from None
        if moment.tzinfo is None:
            raise ValidationError("needs a time zone, e.g. 2026-11-23T10:00:00Z")
        try:  # stored in UTC: 0001-01-01T00:00+14:00 would be in year 0
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("must fall between the years 1 and 9999 in UTC") from None


class ChangesQuery(HistoryQuery):
    """What changed since a change id or a moment, oldest first; or the newest, as Atom."""

    record_type = Repeated(
        fields.String(validate=validate.OneOf(RECORD_TYPES)),
        metadata={
            "description": "Only changes to these kinds of record (repeat, or separate by "
            "commas): " + ", ".join(RECORD_TYPES) + ".",
            "example": ["events"],
        },
    )
    action = Repeated(
        fields.String(validate=validate.OneOf(ACTIONS)),
        metadata={
            "description": "Only these actions: " + ", ".join(ACTIONS) + ".",
            "example": ["create", "update"],
        },
    )
    format = fields.String(
        validate=validate.OneOf(["json", "atom"]),
        metadata={
            "description": "`atom`: an Atom feed of the newest `limit` changes matching the "
            "filters, newest first (for feed readers; `cursor` does not apply). Or send "
            "`Accept: application/atom+xml`.",
            "example": "atom",
        },
    )

    since = SinceField(
        metadata={
            "description": "Only changes after this change id (the `id` of the last change "
            "seen) or this ISO 8601 moment with a time zone. Without it, every change from the "
            "start.",
            "example": "2026-11-23T10:00:00Z",
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "format": "date-time"},
            ],
        }
    )


HistoryPageSchema = page_schema(RevisionSchema, "revisions", "HistoryPageSchema")


class ChangesMetaSchema(PageMetaSchema):
    """Where this page sits, and where to resume."""

    last_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The last change id this page holds (or the `since` asked for, when "
            "it holds none): ask again with `since=<last_id>` for what came after.",
            "example": 212,
        },
    )


class ChangesPageSchema(HistoryPageSchema):  # type: ignore[misc,valid-type]
    """A page of changes."""

    meta = fields.Nested(ChangesMetaSchema, metadata={"description": "Totals, paging, resuming."})
