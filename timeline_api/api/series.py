"""/v1/series: numbers over time, such as Taiwan's espionage prosecutions per year."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request
from flask.views import MethodView

from timeline_api import db
from timeline_api.api import csv_format
from timeline_api.api.base import Blueprint, path_id
from timeline_api.models import Series
from timeline_api.queries import lookups as queries
from timeline_api.schemas.series import (
    SeriesDetailSchema,
    SeriesListQuery,
    SeriesListSchema,
    SeriesQuery,
)

blp = Blueprint(
    "series",
    __name__,
    url_prefix="/v1/series",
    description=("Numbers over time, each point citing its source."),
)


@blp.route("")
class SeriesList(MethodView):
    @blp.arguments(SeriesListQuery, location="query")
    @blp.response(200, SeriesListSchema)
    def get(self, _query: dict[str, Any]) -> Any:
        """List series

        Every series of numbers over time, without their points.
        """
        return {"data": queries.all_series(db.session())}


POINT_COLUMNS = dict.fromkeys(
    (
        *("series", "period", "precision", "period_start", "period_end"),
        *("value", "unit", "source", "quote", "note"),
    )
)
CSV_DOC = {
    "responses": {
        200: {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ",".join(POINT_COLUMNS) + "\r\n",
                }
            }
        }
    }
}


SERIES_ID = path_id("series", "tw-nsb-chinese-espionage-prosecutions")


@blp.route("/<string:id>", parameters=[SERIES_ID])
class SeriesDetail(MethodView):
    @blp.arguments(SeriesQuery, location="query")
    @blp.response(200, SeriesDetailSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """Get one series with its points

        The points come oldest first, each with its period, value and source; `format=csv`
        (or `Accept: text/csv`) gives them as CSV.
        """
        series = queries.series(db.session(), id)
        if series is None:
            abort(404, f"No series has the id '{id}'.")
        if _wants_csv(query["format"]):
            text = csv_format.table(list(POINT_COLUMNS), [_point(series, p) for p in series.points])
            return Response(text, mimetype="text/csv", headers={"Vary": "Accept"})
        return series


def _wants_csv(given: str) -> bool:
    if "format" in request.args:
        return given == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def _point(series: Series, point: Any) -> dict[str, Any]:
    value = float(point.value)
    return {
        "series": series.slug,
        "period": point.period,
        "precision": point.precision,
        "period_start": point.earliest,
        "period_end": point.latest,
        "value": int(value) if value.is_integer() else value,
        "unit": series.unit,
        "source": point.source.slug,
        "quote": point.quote,
        "note": point.note,
    }
