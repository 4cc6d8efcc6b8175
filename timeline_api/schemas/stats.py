"""Counts of events per group or per calendar bucket, for dashboards and charts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from timeline_api.buckets import RULE, SIZES
from timeline_api.queries.charts import GROUPS as CHART_GROUPS
from timeline_api.queries.events import EventFilters
from timeline_api.queries.stats import GROUPS
from timeline_api.schemas.common import Shown
from timeline_api.schemas.events import EventFilterQuery

BY = tuple(dict.fromkeys((*SIZES, *GROUPS)))


@dataclass(frozen=True)
class StatsArgs:
    """What to count, how to group it, and how to give it."""

    by: str
    filters: EventFilters
    group: str | None = None
    cumulative: bool = False
    format: str = "json"

    @property
    def is_dated(self) -> bool:
        return self.by in SIZES


class StatsQuery(EventFilterQuery):
    """How to group, and which events to count (the filters of `/v1/events`)."""

    by = fields.String(
        required=True,
        validate=validate.OneOf(BY),
        metadata={
            "description": "Buckets of the start: `day`, `week` (ISO, from Monday), `month`, "
            "`quarter`, `year`, zero-filled, each with `bucket_start` and `bucket_end` (`day` "
            "and `week` need `from` and `to`); or `type`, `actor`, `country`, `tag`, largest "
            "first. " + RULE,
            "example": "month",
        },
    )
    group = fields.String(
        validate=validate.OneOf(CHART_GROUPS),
        metadata={
            "description": "With a bucket `by`: a row per bucket and `type`, `actor`, `country` "
            "or `tag` (every group in every bucket, zeros included), e.g. events per month by "
            "type in one request. An event counts once for each group it has.",
            "example": "type",
        },
    )
    cumulative = fields.Boolean(
        load_default=False,
        metadata={
            "description": "With a bucket `by`: add `cumulative`, the running total per group.",
            "example": True,
        },
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv"]),
        metadata={
            "description": "`csv`: the rows as CSV with a header (undated periods after the "
            "buckets, told apart by `precision`).",
            "example": "csv",
        },
    )

    @validates_schema
    def _bucketed(self, data: dict[str, Any], **_kwargs: Any) -> None:
        by = data.get("by")
        if by is None or by in SIZES:
            if by in ("day", "week") and not (data.get("from_") and data.get("to")):
                raise ValidationError(f"{by} buckets need `from` and `to`", "by")
            return
        if data.get("group"):
            raise ValidationError(f"needs a bucket `by` ({', '.join(SIZES)}), not {by}", "group")
        if data.get("cumulative"):
            raise ValidationError(f"needs a bucket `by` ({', '.join(SIZES)})", "cumulative")

    @post_load
    def _grouped(self, data: dict[str, Any], **_kwargs: Any) -> StatsArgs:
        return StatsArgs(
            data["by"], self.filters(data), data.get("group"), data["cumulative"], data["format"]
        )


class BucketSchema(Shown):
    """One group or bucket and how many events fall in it."""

    optional = ("bucket_start", "bucket_end", "precision", "group", "group_label", "cumulative")

    key = fields.String(
        metadata={
            "description": "An id or code; or the bucket: `2024-06-05`, `2024-W23`, `2024-06`, "
            "`2024-Q2`, `2024`.",
            "example": "2024-06",
        }
    )
    label = fields.String(metadata={"description": "A name to show.", "example": "2024-06"})
    bucket_start = fields.Date(
        metadata={"description": "Buckets: the first day.", "example": "2024-06-01"}
    )
    bucket_end = fields.Date(
        metadata={"description": "Buckets: the last day (inclusive).", "example": "2024-06-30"}
    )
    precision = fields.String(
        metadata={
            "description": "Buckets: their size; undated periods: `year` or `month`.",
            "example": "month",
        }
    )
    group = fields.String(
        metadata={"description": "With `group`: the group's id or code.", "example": "arrest"}
    )
    group_label = fields.String(
        metadata={"description": "With `group`: its name.", "example": "Arrest"}
    )
    count = fields.Integer(metadata={"description": "Matching events.", "example": 7})
    cumulative = fields.Integer(
        metadata={
            "description": "With `cumulative=true`: events known to have started by "
            "`bucket_end`, in this group.",
            "example": 31,
        }
    )


class StatsSchema(Shown):
    """Counts per group or per bucket."""

    optional = ("group", "rule", "before", "undated")

    by = fields.String(
        validate=validate.OneOf(BY),
        metadata={"description": "How events were grouped.", "example": "month"},
    )
    group = fields.String(
        allow_none=True, metadata={"description": "The second key, if any.", "example": "type"}
    )
    rule = fields.String(
        metadata={"description": "Buckets: how partial dates were counted.", "example": RULE}
    )
    before = fields.Integer(
        metadata={
            "description": "Buckets: matching events that started before the first bucket "
            "(they reach into the range); counted in `cumulative` from the start.",
            "example": 0,
        }
    )
    data = fields.List(
        fields.Nested(BucketSchema),
        metadata={
            "description": "Buckets: every one from `from` (or the first start) to `to` (or the "
            "last), in order, zeros included. Groups: those with an event, largest first."
        },
    )
    undated = fields.List(
        fields.Nested(BucketSchema),
        metadata={
            "description": "Buckets: events whose start is too coarse for the buckets, counted "
            "once over their own year or month (`bucket_start`..`bucket_end`)."
        },
    )
