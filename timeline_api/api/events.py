"""/v1/events: the timeline, filtered by date range and more, as JSON or CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request
from flask.views import MethodView

from timeline_api import db
from timeline_api.api import csv_format, writes
from timeline_api.api.auth import SECURITY, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.errors import InvalidParameter
from timeline_api.api.paging import envelope
from timeline_api.api.writes import LOCATION, MERGE_PATCH, REVISION, WRITE_PROBLEMS, request_body
from timeline_api.datafile.schemas import EventItemSchema
from timeline_api.models import Actor, Event, EventType, Tag
from timeline_api.queries import events as queries
from timeline_api.queries.events import EventFilters
from timeline_api.schemas.events import EventDetailSchema, EventPageSchema, EventQuery
from timeline_api.schemas.history import HistoryPageSchema, HistoryQuery

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
        csv_text = csv_format.render(db.session(), page.items)
        return Response(csv_text, mimetype="text/csv", headers={**headers, "Vary": "Accept"})
    return body, 200, {**headers, "Vary": "Accept"}


@blp.route("")
class EventList(MethodView):
    @blp.doc(operationId="listEvents", **CSV_DOC)
    @blp.arguments(EventQuery, location="query", as_kwargs=False)
    @blp.response(200, EventPageSchema, headers=LIST_HEADERS)
    @blp.problems(400)
    def get(self, filters: EventFilters) -> Any:
        """List events

        Events whose span can overlap `from`..`to`, read at their widest: an event dated
        "2022" to "2024" matches `from=2023&to=2023`, and "2025-06" matches
        `to=2025-06-03`. Filters combine with AND; repeated values of one filter with OR.
        Pages are walked with `cursor`; `Accept: text/csv` or `format=csv` gives CSV.
        """
        return events_page(filters)

    @blp.doc(
        operationId="createEvent",
        **writes.links("Event", 201, "$response.body#/id"),
        security=SECURITY,
        requestBody=request_body(EventItemSchema, EventDetailSchema),
    )
    @blp.etag
    @blp.response(201, EventDetailSchema, headers=LOCATION)
    @blp.problems(*WRITE_PROBLEMS, 409)
    @requires("write")
    def post(self) -> Any:
        """Create an event

        Needs a `write` token. The body is an event as `GET` shows it, or in the data-file
        format (references by id); every field is validated, references must exist, unknown
        fields are refused (422).
        """
        return writes.create(EVENTS)


EVENT_ID = path_id("event", "tw-four-soldiers-sentenced-2025")


@blp.route("/<string:id>", parameters=[EVENT_ID])
class EventDetail(MethodView):
    @blp.doc(operationId="getEvent", **writes.links("Event", 200, "$request.path.id"))
    @blp.etag
    @blp.response(200, EventDetailSchema)
    @blp.problems(404, 410)
    def get(self, id: str) -> Any:
        """Get one event

        The full record: actors with roles, countries, tags, citations with source and quote,
        alternative dates other sources claim, and links to related events.
        """
        return writes.shown(EVENTS, writes.found_or_404(EVENTS, id))

    @blp.doc(
        operationId="updateEvent",
        security=SECURITY,
        requestBody=request_body(EventItemSchema, EventDetailSchema),
    )
    @blp.etag
    @blp.response(200, EventDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404, 410)
    @requires("write")
    def put(self, id: str) -> Any:
        """Replace an event

        Needs a `write` token and `If-Match`. The body is the whole event: what `GET` gave,
        with any member changed, does. Read-only members (`earliest`, `disputed`, ...) are
        ignored when they agree with the record and refused by name when they do not.
        """
        return writes.replace(EVENTS, id)

    @blp.doc(operationId="patchEvent", security=SECURITY, requestBody=MERGE_PATCH)
    @blp.etag
    @blp.response(200, EventDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404, 410)
    @requires("write")
    def patch(self, id: str) -> Any:
        """Change an event

        Needs a `write` token and `If-Match`. A JSON merge patch (RFC 7396) of the event as
        `GET` shows it: members given replace the stored ones, `null` removes an optional one.
        """
        return writes.change(EVENTS, id)

    @blp.doc(operationId="deleteEvent", security=SECURITY)
    @blp.etag
    @blp.response(204)
    @blp.problems(401, 403, 404, 410)
    @requires("write")
    def delete(self, id: str) -> None:
        """Delete an event

        Needs a `write` token and `If-Match`. The event is hidden (410 afterwards) and an
        admin can restore it from its history.
        """
        writes.delete(EVENTS, id)


@blp.route("/<string:id>/history", parameters=[EVENT_ID])
class EventHistory(MethodView):
    @blp.doc(operationId="listEventHistory")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPageSchema)
    @blp.problems(400, 404)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """History of an event

        Every change to it, oldest first: who, when, and the record before and after, in the
        data-file format.
        """
        return writes.history(EVENTS, id, query)


@blp.route("/<string:id>/history/<int:revision>/restore", parameters=[EVENT_ID, REVISION])
class EventRestore(MethodView):
    @blp.doc(operationId="restoreEvent", security=SECURITY)
    @blp.etag
    @blp.response(200, EventDetailSchema)
    @blp.problems(401, 403, 404, 409, 422)
    @requires("admin")
    def post(self, id: str, revision: int) -> Any:
        """Restore a revision of an event

        Needs an `admin` token. Makes the event what it was after that revision, and shows it
        again if it was deleted; the restore is itself a new revision.
        """
        return writes.restore(EVENTS, id, revision)


def found(id: str) -> Event | None:
    """The event as its GET shows it, or None; 410 Gone when it was deleted."""
    event = queries.detail(db.session(), id)
    if event is not None and event.deleted_at is not None:
        abort(410, f"The event '{id}' was deleted; an admin can restore it.")
    return event


EVENTS = writes.Editable("events", "event", blp, EventDetailSchema, found, "events.EventDetail")
