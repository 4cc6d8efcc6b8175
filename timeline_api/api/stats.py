"""/v1/stats/events: how many events per year, month, type, actor, country or tag."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from timeline_api import db
from timeline_api.api.base import Blueprint
from timeline_api.api.events import check_ids
from timeline_api.queries import stats
from timeline_api.schemas.stats import StatsQuery, StatsSchema

blp = Blueprint(
    "stats",
    __name__,
    url_prefix="/v1/stats",
    description=(
        "Counts for dashboards. For numbers the sources give (prosecutions per year, say), see "
        "`/v1/series`."
    ),
)


@blp.route("/events")
class EventCounts(MethodView):
    @blp.doc(operationId="countEvents")
    @blp.arguments(StatsQuery, location="query")
    @blp.response(200, StatsSchema)
    @blp.problems(400)
    def get(self, query: dict[str, Any]) -> Any:
        """Count events per group

        The events `/v1/events` would list for the same filters, counted per year or month of
        their start, or per type, actor, country or tag. An event with two actors counts once
        for each.
        """
        check_ids(query["filters"])
        buckets = stats.count_by(db.session(), query["filters"], query["by"])
        return {"by": query["by"], "data": buckets}
