"""Counts of events per group, for dashboards."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate

from timeline_api.queries.stats import GROUPS
from timeline_api.schemas.common import Shown
from timeline_api.schemas.events import EventFilterQuery


class StatsQuery(EventFilterQuery):
    """How to group, and which events to count (the filters of `/v1/events`)."""

    by = fields.String(
        required=True,
        validate=validate.OneOf(GROUPS),
        metadata={
            "description": "`year` or `month` of the start (a start known only to the year stays "
            "in its year under `month`), or `type`, `actor`, `country`, `tag`.",
            "example": "year",
        },
    )

    @post_load
    def _grouped(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {"by": data["by"], "filters": self.filters(data)}


class BucketSchema(Shown):
    """One group and how many events fall in it."""

    key = fields.String(
        metadata={"description": "A year, `YYYY-MM`, or an id or code.", "example": "2024"}
    )
    label = fields.String(metadata={"description": "A name to show.", "example": "2024"})
    count = fields.Integer(metadata={"description": "Matching events.", "example": 7})


class StatsSchema(Shown):
    """Counts per group."""

    by = fields.String(
        validate=validate.OneOf(GROUPS),
        metadata={"description": "How events were grouped.", "example": "year"},
    )
    data = fields.List(
        fields.Nested(BucketSchema),
        metadata={
            "description": "Groups with at least one event: dates in order, others largest first."
        },
    )
