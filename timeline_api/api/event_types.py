"""/v1/event-types: kinds of event."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from timeline_api.api import lookups, writes
from timeline_api.api.auth import SECURITY, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.writes import LOCATION, MERGE_PATCH, REVISION, WRITE_PROBLEMS, request_body
from timeline_api.datafile.schemas import EventTypeItemSchema
from timeline_api.models import EventType
from timeline_api.schemas import lookups as schemas
from timeline_api.schemas.common import NoQuery, page_schema
from timeline_api.schemas.history import HistoryPageSchema, HistoryQuery
from timeline_api.schemas.lookups import ListArgs, list_query

blp = Blueprint(
    "event-types",
    __name__,
    url_prefix="/v1/event-types",
    description="Kinds of event.",
)
EVENT_TYPE_ID = path_id("event type", "court-ruling")


@blp.route("")
class EventTypeList(MethodView):
    @blp.doc(operationId="listEventTypes")
    @blp.arguments(list_query(EventType, "event types"), location="query")
    @blp.response(200, page_schema(schemas.EventTypeSchema, "event types"))
    @blp.problems(400)
    def get(self, args: ListArgs) -> Any:
        """List event types

        Every kind of event, in id order.
        """
        return lookups.page(select(EventType), EventType, args)

    @blp.doc(
        operationId="createEventType",
        **writes.links("EventType", 201, "$response.body#/id"),
        security=SECURITY,
        requestBody=request_body(EventTypeItemSchema, schemas.EventTypeDetailSchema),
    )
    @blp.etag
    @blp.response(201, schemas.EventTypeDetailSchema, headers=LOCATION)
    @blp.problems(*WRITE_PROBLEMS, 409)
    @requires("write")
    def post(self) -> Any:
        """Create an event type

        Needs a `write` token. The body is an event type as `GET` shows it, or in the data-file
        format; every field is validated, unknown fields are refused (422).
        """
        return writes.create(EVENT_TYPES)


@blp.route("/<string:id>", parameters=[EVENT_TYPE_ID])
class EventTypeDetail(MethodView):
    @blp.doc(operationId="getEventType", **writes.links("EventType", 200, "$request.path.id"))
    @blp.etag
    @blp.arguments(NoQuery, location="query", as_kwargs=True)
    @blp.response(200, schemas.EventTypeDetailSchema)
    @blp.problems(400, 404)
    def get(self, id: str) -> Any:
        """Get one event type

        The type, and how many events are of it.
        """
        return writes.shown(EVENT_TYPES, writes.found_or_404(EVENT_TYPES, id))

    @blp.doc(
        operationId="updateEventType",
        security=SECURITY,
        requestBody=request_body(EventTypeItemSchema, schemas.EventTypeDetailSchema),
    )
    @blp.etag
    @blp.response(200, schemas.EventTypeDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def put(self, id: str) -> Any:
        """Replace an event type

        Needs a `write` token and `If-Match`. The body is the whole event type: what `GET` gave,
        with any member changed, does (`event_count` is ignored).
        """
        return writes.replace(EVENT_TYPES, id)

    @blp.doc(operationId="patchEventType", security=SECURITY, requestBody=MERGE_PATCH)
    @blp.etag
    @blp.response(200, schemas.EventTypeDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def patch(self, id: str) -> Any:
        """Change an event type

        Needs a `write` token and `If-Match`. A JSON merge patch (RFC 7396) of the event type as
        `GET` shows it: members given replace the stored ones, `null` removes an optional one.
        """
        return writes.change(EVENT_TYPES, id)

    @blp.doc(operationId="deleteEventType", security=SECURITY)
    @blp.etag
    @blp.response(204)
    @blp.problems(401, 403, 404, 409)
    @requires("write")
    def delete(self, id: str) -> None:
        """Delete an event type

        Needs a `write` token and `If-Match`. Refused (409) while events still refer
        to it.
        """
        writes.delete(EVENT_TYPES, id)


@blp.route("/<string:id>/history", parameters=[EVENT_TYPE_ID])
class EventTypeHistory(MethodView):
    @blp.doc(operationId="listEventTypeHistory")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPageSchema)
    @blp.problems(400, 404)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """History of an event type

        Every change to it, oldest first: who, when, and the record before and after, in the
        data-file format.
        """
        return writes.history(EVENT_TYPES, id, query)


@blp.route("/<string:id>/history/<int:revision>/restore", parameters=[EVENT_TYPE_ID, REVISION])
class EventTypeRestore(MethodView):
    @blp.doc(operationId="restoreEventType", security=SECURITY)
    @blp.etag
    @blp.response(200, schemas.EventTypeDetailSchema)
    @blp.problems(401, 403, 404, 409, 422)
    @requires("admin")
    def post(self, id: str, revision: int) -> Any:
        """Restore a revision of an event type

        Needs an `admin` token. Makes the event type what it was after that revision; the restore
        is itself a new revision.
        """
        return writes.restore(EVENT_TYPES, id, revision)


def found(id: str) -> Any:
    """The event type as its GET shows it (with its event count), or None."""
    return lookups.found(EventType, id)


EVENT_TYPES = writes.Editable(
    "event_types",
    "event type",
    blp,
    schemas.EventTypeDetailSchema,
    found,
    "event-types.EventTypeDetail",
)
