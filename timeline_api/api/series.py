"""/v1/series: numbers over time, such as Taiwan's espionage prosecutions per year."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView

from timeline_api import db
from timeline_api.api.base import Blueprint, path_id
from timeline_api.models import Series
from timeline_api.queries import lookups as queries
from timeline_api.schemas.series import SeriesDetailSchema, SeriesListSchema

blp = Blueprint(
    "series",
    __name__,
    url_prefix="/v1/series",
    description=("Numbers over time, each point citing its source."),
)


@blp.route("")
class SeriesList(MethodView):
    @blp.response(200, SeriesListSchema)
    def get(self) -> Any:
        """List series

        Every series of numbers over time, without their points.
        """
        return {"data": queries.all_series(db.session())}


SERIES_ID = path_id("series", "tw-nsb-chinese-espionage-prosecutions")


@blp.route("/<string:id>", parameters=[SERIES_ID])
class SeriesDetail(MethodView):
    @blp.response(200, SeriesDetailSchema)
    def get(self, id: str) -> Series:
        """Get one series with its points

        The points come oldest first, each with its period, value and source.
        """
        series = queries.series(db.session(), id)
        if series is None:
            abort(404, f"No series has the id '{id}'.")
        return series
