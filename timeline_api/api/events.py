"""/v1/events: the timeline, filtered by date range and more, as JSON or CSV."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, abort, request, stream_with_context, url_for
from flask.views import MethodView

from timeline_api import db
from timeline_api.api import csv_format, ics_format, ndjson_format, timelinejs_format, writes
from timeline_api.api.auth import SECURITY, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.errors import InvalidParameter
from timeline_api.api.paging import envelope
from timeline_api.api.writes import LOCATION, MERGE_PATCH, REVISION, WRITE_PROBLEMS, request_body
from timeline_api.datafile.schemas import EventItemSchema
from timeline_api.models import Actor, Event, EventType, Tag
from timeline_api.queries import events as queries
from timeline_api.queries import included
from timeline_api.queries.events import EventFilters
from timeline_api.schemas.common import NoQuery
from timeline_api.schemas.dumping import compile_dumper
from timeline_api.schemas.events import (
    EventDetailSchema,
    EventListArgs,
    EventListItemSchema,
    EventPageSchema,
    EventQuery,
)
from timeline_api.schemas.history import HistoryPageSchema, HistoryQuery

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/v1/events",
    description="Dated events, each citing its sources. Dates are as precise as the sources "
    "allow: a year, a month or a day.",
)

# The formats besides JSON, by media type: what `format=` names and Accept can ask for.
MEDIA_TYPES = {
    timelinejs_format.MEDIA_TYPE: "timelinejs",
    "text/csv": "csv",
    "text/calendar": "ics",
    ndjson_format.MEDIA_TYPE: "ndjson",
}
CSV_DOC = {
    "responses": {
        200: {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ",".join(csv_format.COLUMNS) + "\r\n",
                },
                "text/calendar": {
                    "schema": {"type": "string"},
                    "example": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n...END:VCALENDAR\r\n",
                },
                ndjson_format.MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": '{"id":"tw-four-soldiers-sentenced-2025","title":"..."}\n',
                },
                timelinejs_format.MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "description": "TimelineJS 3's JSON format: `new TL.Timeline(id, data)`.",
                        "required": ["events"],
                        "properties": {"events": {"type": "array", "items": {"type": "object"}}},
                    }
                },
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
        ("actor_all", "actor", Actor, filters.every_actor),
        ("tag", "tag", Tag, filters.tags),
        ("tag_all", "tag", Tag, filters.every_tag),
    ):
        unknown = queries.unknown(db.session(), model, slugs)
        if unknown:
            names = ", ".join(f"'{slug}'" for slug in unknown)
            raise InvalidParameter(parameter, f"names no known {what}: {names}")


def chosen_format(given: str | None) -> str:
    """`format=`, else the Accept header's best match (JSON unless another is preferred)."""
    if given is not None:
        return given
    best = request.accept_mimetypes.best_match(["application/json", *MEDIA_TYPES])
    return MEDIA_TYPES.get(best or "", "json")


def events_page(args: EventListArgs) -> Any:
    """A page of events as JSON, or in the format asked for."""
    check_ids(args.filters)
    wanted = chosen_format(args.format)
    include = args.include
    if wanted == "timelinejs" and "citations" not in include:
        include = (*include, "citations")  # media and credit come from the first citation
    if wanted == "ndjson":
        return _stream(args, include)
    page = queries.page(db.session(), args.filters)
    included.add(db.session(), page.items, include)
    body, headers = envelope(page, queries.ORDERS)
    headers = {**headers, "Vary": "Accept"}
    if wanted != "json":
        return _rendered(wanted, page.items, headers, args)
    if args.fields:
        body["data"] = [trimmed(item, args.fields) for item in page.items]
    return body, 200, headers


def _rendered(
    wanted: str, items: list[Any], headers: dict[str, str], args: EventListArgs
) -> Response:
    """A page as CSV, iCalendar or TimelineJS: a Response, which the page schema leaves be."""
    if wanted == "csv":
        if args.rows == "citations":
            csv_text = csv_format.render_citations(db.session(), items)
        else:
            csv_text = csv_format.render(db.session(), items, "citations" in args.include)
        return Response(csv_text, mimetype="text/csv", headers=headers)
    if wanted == "ics":
        event_url = url_for("events.EventDetail", id="{id}", _external=True)
        calendar = ics_format.render(items, event_url.replace("%7Bid%7D", "{id}"))
        return Response(calendar, mimetype="text/calendar", headers=headers)
    document = orjson.dumps(timelinejs_format.render(items), option=orjson.OPT_INDENT_2)
    return Response(document, mimetype=timelinejs_format.MEDIA_TYPE, headers=headers)


_LIST_ITEM = EventListItemSchema()
_dump_item = compile_dumper(_LIST_ITEM)
# A list item's member → the record's key it is read from (id: slug, links: connections, ...).
_KEYS = {name: field.attribute or name for name, field in _LIST_ITEM.dump_fields.items()}


def trimmed(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The record with only the members `fields=` names, and its id."""
    keep = {_KEYS["id"], *(_KEYS[name] for name in names)}
    return {key: value for key, value in record.items() if key in keep}


def _stream(args: EventListArgs, include: tuple[str, ...]) -> Response:
    def shaped(record: dict[str, Any]) -> Any:
        return _dump_item(trimmed(record, args.fields) if args.fields else record)

    lines = ndjson_format.lines(db.session(), args.filters, include, shaped)
    return Response(
        stream_with_context(lines),
        mimetype=ndjson_format.MEDIA_TYPE,
        headers={"Vary": "Accept"},
    )


@blp.route("")
class EventList(MethodView):
    @blp.doc(operationId="listEvents", **CSV_DOC)
    @blp.arguments(EventQuery, location="query", as_kwargs=False)
    @blp.response(200, EventPageSchema, headers=LIST_HEADERS)
    @blp.problems(400)
    def get(self, args: EventListArgs) -> Any:
        """List events

        Events whose span can overlap `from`..`to`, read at their widest: an event dated
        "2022" to "2024" matches `from=2023&to=2023`, and "2025-06" matches
        `to=2025-06-03`. Filters combine with AND; repeated values of one filter with OR
        (`actor_all`, `country_all`, `tag_all`: all of them). Pages are walked with `cursor`.
        `format` (or Accept) gives CSV, TimelineJS JSON, iCalendar, or an NDJSON stream of
        every match; `include` adds citations and links, `fields` trims.
        """
        return events_page(args)

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
    @blp.arguments(NoQuery, location="query", as_kwargs=True)
    @blp.response(200, EventDetailSchema)
    @blp.problems(400, 404, 410)
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
