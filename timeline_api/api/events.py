"""/v1/events: the timeline, filtered by date range and more, as JSON or CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request
from flask.views import MethodView

from timeline_api import db
from timeline_api.api import csv_format
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.errors import InvalidParameter
from timeline_api.api.paging import envelope
from timeline_api.models import Actor, Event, EventType, Tag
from timeline_api.queries import events as queries
from timeline_api.queries.events import EventFilters
from timeline_api.schemas.events import EventDetailSchema, EventPageSchema, EventQuery

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/v1/events",
    description="Dated events, each citing its sources. Dates are as precise as the sources "
    "allow: a year, a month or a day.",
)

CSV_DOC = {
    "responses": {
        200: {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ",".join(csv_format.COLUMNS) + "\r\n",
                }
            }
        }
    }
}


LIST_HEADERS = {
    "Link": {"description": 'The next page: `<url>; rel="next"`.', "schema": {"type": "string"}},
    "X-Total-Count": {
        "description": "Events matching the filters (absent when more than 10,000).",
        "schema": {"type": "integer"},
    },
}


def check_ids(filters: EventFilters) -> None:
    """An id that names nothing is a typo to report, not an empty timeline."""
    for parameter, what, model, slugs in (
        ("type", "event type", EventType, filters.types),
        ("actor", "actor", Actor, filters.actors),
        ("tag", "tag", Tag, filters.tags),
    ):
        unknown = queries.unknown(db.session(), model, slugs)
        if unknown:
            names = ", ".join(f"'{slug}'" for slug in unknown)
            raise InvalidParameter(parameter, f"names no known {what}: {names}")


def events_page(filters: EventFilters) -> Any:
    """A page of events as JSON, or as CSV when asked for."""
    check_ids(filters)
    as_csv = csv_format.wants_csv(request, request.args.get("format"))
    page = queries.page(db.session(), filters)
    body, headers = envelope(page, queries.ORDERS)
    if as_csv:
        if request.args.get("rows") == "citations":
            csv_text = csv_format.render_citations(db.session(), page.items)
        else:
            with_citations = request.args.get("include") == "citations"
            csv_text = csv_format.render(db.session(), page.items, with_citations)
        return Response(csv_text, mimetype="text/csv", headers={**headers, "Vary": "Accept"})
    return body, 200, {**headers, "Vary": "Accept"}


@blp.route("")
class EventList(MethodView):
    @blp.arguments(EventQuery, location="query", as_kwargs=False)
    @blp.response(200, EventPageSchema, headers=LIST_HEADERS)
    @blp.doc(**CSV_DOC)
    def get(self, filters: EventFilters) -> Any:
        """List events

        Events whose span can overlap `from`..`to`, read at their widest: an event dated
        "2022" to "2024" matches `from=2023&to=2023`, and "2025-06" matches
        `to=2025-06-03`. Filters combine with AND; repeated values of one filter with OR.
        Pages are walked with `cursor`; `Accept: text/csv` or `format=csv` gives CSV.
        """
        return events_page(filters)


EVENT_ID = path_id("event", "tw-four-soldiers-sentenced-2025")


@blp.route("/<string:id>", parameters=[EVENT_ID])
class EventDetail(MethodView):
    @blp.response(200, EventDetailSchema)
    def get(self, id: str) -> Event:
        """Get one event

        The full record: actors with roles, countries, tags, citations with source and quote,
        alternative dates other sources claim, and links to related events.
        """
        event = found(id)
        if event is None:
            abort(404, f"No event has the id '{id}'.")
        return event


def found(id: str) -> Event | None:
    """The event as its GET shows it, or None; 410 Gone when it was deleted."""
    event = queries.detail(db.session(), id)
    if event is not None and event.deleted_at is not None:
        abort(410, f"The event '{id}' was deleted; an admin can restore it.")
    return event
