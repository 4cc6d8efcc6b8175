"""The data file format (docs/data-format.md): seed, export and import share it."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timeline_api.models.actors import ACTOR_KINDS
from timeline_api.models.events import LINK_KINDS, ROLES
from timeline_api.schemas.fields import PartialDateField, country_code, slug

TEXT = validate.Length(min=1)


def _text(length: int | None = None, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=length), **kwargs)


class NamedSchema(Schema):
    id = slug()
    name = _text(200, required=True)
    description = _text(allow_none=True)


class CountrySchema(Schema):
    code = country_code(required=True)
    name = _text(200, required=True)


class ActorSchema(NamedSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ACTOR_KINDS))
    country = country_code(allow_none=True)
    aliases = fields.List(_text(200), load_default=list)


class SourceSchema(Schema):
    id = slug()
    publisher = _text(200, required=True)
    title = _text(500, required=True)
    author = _text(200, allow_none=True)
    url = fields.Url(allow_none=True, validate=validate.Length(max=2000))
    published = PartialDateField(allow_none=True)
    document = fields.String(
        allow_none=True, validate=validate.Regexp(r"^[\w.-]+\.txt$", error="must be a .txt name")
    )
    description = _text(allow_none=True)


class QuotedSchema(Schema):
    """Something that cites a source: a quote word for word, or a note on what it supports."""

    source = slug()
    quote = _text(allow_none=True)
    note = _text(allow_none=True)

    @validates_schema
    def _quote_or_note(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data.get("quote") and not data.get("note"):
            raise ValidationError("give a quote, a note, or both", "quote")


class SpanSchema(Schema):
    start = PartialDateField(required=True)
    end = PartialDateField(allow_none=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end.last < start.first:
            raise ValidationError("must not be before start", "end")


class AlternativeDateSchema(SpanSchema, QuotedSchema):
    pass


class EventActorSchema(Schema):
    actor = slug()
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class LinkSchema(Schema):
    to = slug()
    kind = fields.String(required=True, validate=validate.OneOf(LINK_KINDS))


class EventSchema(SpanSchema):
    id = slug()
    title = _text(300, required=True)
    summary = _text(required=True)
    text = _text(allow_none=True)
    type = slug()
    importance = fields.Integer(required=True, validate=validate.Range(1, 5), strict=True)
    is_approximate = fields.Boolean(load_default=False)
    date_note = _text(allow_none=True)
    actors = fields.List(fields.Nested(EventActorSchema), load_default=list)
    countries = fields.List(country_code(), load_default=list)
    tags = fields.List(slug(), load_default=list)
    citations = fields.List(
        fields.Nested(QuotedSchema),
        required=True,
        validate=validate.Length(min=1, error="every event needs at least one citation"),
    )
    alternative_dates = fields.List(fields.Nested(AlternativeDateSchema), load_default=list)
    links = fields.List(fields.Nested(LinkSchema), load_default=list)


class PointSchema(QuotedSchema):
    period = PartialDateField(required=True)
    value = fields.Decimal(required=True, allow_nan=False)


class SeriesSchema(Schema):
    id = slug()
    title = _text(300, required=True)
    description = _text(allow_none=True)
    unit = _text(100, required=True)
    points = fields.List(fields.Nested(PointSchema), load_default=list)


class DatasetSchema(Schema):
    """A whole file; each list in the order it must be loaded."""

    countries = fields.List(fields.Nested(CountrySchema), load_default=list)
    event_types = fields.List(fields.Nested(NamedSchema), load_default=list)
    tags = fields.List(fields.Nested(NamedSchema), load_default=list)
    sources = fields.List(fields.Nested(SourceSchema), load_default=list)
    actors = fields.List(fields.Nested(ActorSchema), load_default=list)
    events = fields.List(fields.Nested(EventSchema), load_default=list)
    series = fields.List(fields.Nested(SeriesSchema), load_default=list)
