"""/v1/stats/events: how many events per calendar bucket, type, actor, country or tag."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from timeline_api import db
from timeline_api.api import csv_format
from timeline_api.api.base import Blueprint
from timeline_api.api.errors import InvalidParameter
from timeline_api.api.events import check_ids
from timeline_api.buckets import RULE
from timeline_api.queries import charts, stats
from timeline_api.queries.charts import Row
from timeline_api.schemas.stats import StatsArgs, StatsQuery, StatsSchema

blp = Blueprint(
    "stats",
    __name__,
    url_prefix="/v1/stats",
    description=(
        "Counts for dashboards and charts. For numbers the sources give (prosecutions per year, "
        "say), see `/v1/series`."
    ),
)

CSV_DOC = {
    "responses": {
        200: {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "bucket_start,bucket_end,key,precision,count\r\n"
                    "2024-06-01,2024-06-30,2024-06,month,3\r\n",
                }
            }
        }
    }
}


@blp.route("/events")
class EventCounts(MethodView):
    @blp.doc(operationId="countEvents")
    @blp.arguments(StatsQuery, location="query")
    @blp.response(200, StatsSchema)
    @blp.doc(**CSV_DOC)
    @blp.problems(400)
    def get(self, args: StatsArgs) -> Any:
        """Count events per bucket or group

        The events `/v1/events` would list for the same filters, counted per day, week,
        month, quarter or year of their start (zero-filled, optionally per type, actor,
        country or tag, optionally cumulative), or per type, actor, country or tag. An event
        with two actors counts once for each. `format=csv` gives the same rows as CSV.
        """
        check_ids(args.filters)
        if not args.is_dated:
            found = stats.count_by(db.session(), args.filters, args.by)
            if args.format == "csv":
                rows = [{"key": b.key, "label": b.label, "count": b.count} for b in found]
                return _csv(["key", "label", "count"], rows)
            return {"by": args.by, "data": found}
        chart = _chart(args)
        rows = [_row(row, args) for row in chart.rows]
        undated = [_row(row, args, cumulative=False) for row in chart.undated]
        if args.format == "csv":
            return _csv(list(_columns(args)), rows + undated)
        body = {"by": args.by, "group": args.group, "rule": RULE, "before": chart.before}
        return {**body, "data": rows, "undated": undated}


def _chart(args: StatsArgs) -> charts.Chart:
    found = charts.starts(db.session(), args.filters, args.by, args.group)
    try:
        return charts.chart(found, args.by, args.filters.first, args.filters.last)
    except charts.TooManyRows as error:
        raise InvalidParameter(
            "by",
            f"would give {error.args[0]} rows (at most {charts.MAX_ROWS}): narrow `from`..`to` "
            "or choose larger buckets",
        ) from None


def _columns(args: StatsArgs) -> dict[str, None]:
    names = ["bucket_start", "bucket_end", "key", "precision"]
    if args.group:
        names += ["group", "group_label"]
    names.append("count")
    if args.cumulative:
        names.append("cumulative")
    return dict.fromkeys(names)


def _row(row: Row, args: StatsArgs, cumulative: bool = True) -> dict[str, Any]:
    found: dict[str, Any] = {
        "key": row.span.key,
        "label": row.span.key,
        "bucket_start": row.span.first,
        "bucket_end": row.span.last,
        "precision": row.span.size,
    }
    if row.group is not None:
        found["group"], found["group_label"] = row.group
    found["count"] = row.count
    if args.cumulative and cumulative:
        found["cumulative"] = row.cumulative
    return found


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> Response:
    text = csv_format.table(columns, rows)
    return Response(text, mimetype="text/csv", headers={"Vary": "Accept"})
