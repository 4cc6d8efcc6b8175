"""/v1/series: numbers over time, such as Taiwan's espionage prosecutions per year."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from timeline_api import db
from timeline_api.api import csv_format, writes
from timeline_api.api.auth import SECURITY, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.writes import LOCATION, MERGE_PATCH, REVISION, WRITE_PROBLEMS, request_body
from timeline_api.datafile.schemas import SeriesItemSchema
from timeline_api.models import Series
from timeline_api.queries import lookups as queries
from timeline_api.schemas.history import HistoryPageSchema, HistoryQuery
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
    @blp.doc(operationId="listSeries")
    @blp.arguments(SeriesListQuery, location="query")
    @blp.response(200, SeriesListSchema)
    def get(self, _query: dict[str, Any]) -> Any:
        """List series

        Every series of numbers over time, without their points.
        """
        return {"data": queries.all_series(db.session())}

    @blp.doc(
        operationId="createSeries",
        **writes.links("Series", 201, "$response.body#/id"),
        security=SECURITY,
        requestBody=request_body(SeriesItemSchema, SeriesDetailSchema),
    )
    @blp.etag
    @blp.response(201, SeriesDetailSchema, headers=LOCATION)
    @blp.problems(*WRITE_PROBLEMS, 409)
    @requires("write")
    def post(self) -> Any:
        """Create a series

        Needs a `write` token. The body is a series with its points, as `GET` shows it or in
        the data-file format; every field is validated, unknown fields are refused (422).
        """
        return writes.create(SERIES)


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


# GET one series: the links to its writes, and its CSV form.
GET_DOC = writes.links("Series", 200, "$request.path.id")
GET_DOC["responses"][200].update(CSV_DOC["responses"][200])

SERIES_ID = path_id("series", "tw-nsb-chinese-espionage-prosecutions")


@blp.route("/<string:id>", parameters=[SERIES_ID])
class SeriesDetail(MethodView):
    @blp.doc(operationId="getSeries", **GET_DOC)
    @blp.etag
    @blp.arguments(SeriesQuery, location="query")
    @blp.response(200, SeriesDetailSchema)
    @blp.problems(400, 404)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """Get one series with its points

        The points come oldest first, each with its period, value and source; `format=csv`
        (or `Accept: text/csv`) gives them as CSV.
        """
        series = writes.found_or_404(SERIES, id)
        if _wants_csv(query["format"]):
            text = csv_format.table(list(POINT_COLUMNS), [_point(series, p) for p in series.points])
            return Response(text, mimetype="text/csv", headers={"Vary": "Accept"})
        return writes.shown(SERIES, series)

    @blp.doc(
        operationId="updateSeries",
        security=SECURITY,
        requestBody=request_body(SeriesItemSchema, SeriesDetailSchema),
    )
    @blp.etag
    @blp.response(200, SeriesDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def put(self, id: str) -> Any:
        """Replace a series

        Needs a `write` token and `If-Match`. The body is the whole series with all its
        points: what `GET` gave, with any member changed, does.
        """
        return writes.replace(SERIES, id)

    @blp.doc(operationId="patchSeries", security=SECURITY, requestBody=MERGE_PATCH)
    @blp.etag
    @blp.response(200, SeriesDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def patch(self, id: str) -> Any:
        """Change a series

        Needs a `write` token and `If-Match`. A JSON merge patch (RFC 7396) of the series as
        `GET` shows it; `points`, when given, replaces them all.
        """
        return writes.change(SERIES, id)

    @blp.doc(operationId="deleteSeries", security=SECURITY)
    @blp.etag
    @blp.response(204)
    @blp.problems(401, 403, 404)
    @requires("write")
    def delete(self, id: str) -> None:
        """Delete a series

        Needs a `write` token and `If-Match`. The series goes with its points.
        """
        writes.delete(SERIES, id)


@blp.route("/<string:id>/history", parameters=[SERIES_ID])
class SeriesHistory(MethodView):
    @blp.doc(operationId="listSeriesHistory")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPageSchema)
    @blp.problems(400, 404)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """History of a series

        Every change to it, oldest first: who, when, and the record before and after, in the
        data-file format.
        """
        return writes.history(SERIES, id, query)


@blp.route("/<string:id>/history/<int:revision>/restore", parameters=[SERIES_ID, REVISION])
class SeriesRestore(MethodView):
    @blp.doc(operationId="restoreSeries", security=SECURITY)
    @blp.etag
    @blp.response(200, SeriesDetailSchema)
    @blp.problems(401, 403, 404, 409, 422)
    @requires("admin")
    def post(self, id: str, revision: int) -> Any:
        """Restore a revision of a series

        Needs an `admin` token. Makes the series what it was after that revision; the restore
        is itself a new revision.
        """
        return writes.restore(SERIES, id, revision)


def found(id: str) -> Series | None:
    """The series with its points, or None."""
    return queries.series(db.session(), id)


SERIES = writes.Editable("series", "series", blp, SeriesDetailSchema, found, "series.SeriesDetail")


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
