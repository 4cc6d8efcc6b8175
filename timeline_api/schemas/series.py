"""Series of numbers over time, each point citing its source."""

from __future__ import annotations

from marshmallow import fields, validate

from timeline_api.models.common import PRECISIONS
from timeline_api.schemas.common import Documented, Shown
from timeline_api.schemas.fields import Quantity
from timeline_api.schemas.refs import QuoteLocation, SourceRefSchema


class PointSchema(Shown):
    """One value of a series, for a year, month or day, with its source."""

    period = fields.String(
        metadata={"description": "YYYY, YYYY-MM or YYYY-MM-DD.", "example": "2024"}
    )
    precision = fields.String(
        validate=validate.OneOf(PRECISIONS),
        metadata={"description": "year, month or day.", "example": "year"},
    )
    earliest = fields.Date(
        metadata={"description": "First day of the period.", "example": "2024-01-01"}
    )
    latest = fields.Date(
        metadata={"description": "Last day of the period.", "example": "2024-12-31"}
    )
    value = Quantity(
        metadata={"description": "The value, in the series' unit.", "example": 64, "type": "number"}
    )
    source = fields.Nested(SourceRefSchema, metadata={"description": "Where the value is from."})
    quote = fields.String(
        allow_none=True,
        metadata={
            "description": "The passage giving the value, word for word.",
            "example": "Specifically, there were 10 prosecutions for Chinese espionage in 2022, "
            "48 in 2023, and 64 in 2024.",
        },
    )
    note = fields.String(allow_none=True, metadata={"description": "Caveats.", "example": None})
    location = QuoteLocation(
        metadata={
            "description": "Where the quote lies in the source's stored document; null when "
            "the source has none."
        }
    )


class SeriesSchema(Shown):
    """A series of numbers over time."""

    id = fields.String(
        attribute="slug",
        metadata={"description": "Stable id.", "example": "tw-nsb-chinese-espionage-prosecutions"},
    )
    title = fields.String(
        metadata={
            "description": "Title.",
            "example": "People prosecuted for Chinese espionage in Taiwan",
        }
    )
    description = fields.String(
        allow_none=True, metadata={"description": "What is counted.", "example": None}
    )
    unit = fields.String(metadata={"description": "Unit of the values.", "example": "people"})


class SeriesDetailSchema(SeriesSchema):
    """A series with all its points, oldest first."""

    points = fields.List(fields.Nested(PointSchema), metadata={"description": "The values."})


class SeriesListSchema(Shown):
    """Every series."""

    data = fields.List(fields.Nested(SeriesSchema), metadata={"description": "The series."})


class SeriesListQuery(Documented):
    """No parameters: an unknown one is refused, not ignored."""


class SeriesQuery(Documented):
    """How to give one series."""

    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv"]),
        metadata={
            "description": "`csv`: the points as CSV with a header, one row a point, each with "
            "`period_start` and `period_end` (or send `Accept: text/csv`).",
            "example": "csv",
        },
    )
