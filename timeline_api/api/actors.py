"""/v1/actors: states, agencies, units, groups, companies, public persons."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.views import MethodView

from timeline_api.api import lookups, writes
from timeline_api.api.auth import SECURITY, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.events import CSV_DOC, LIST_HEADERS, events_page
from timeline_api.api.writes import LOCATION, MERGE_PATCH, REVISION, WRITE_PROBLEMS, request_body
from timeline_api.datafile.schemas import ActorItemSchema
from timeline_api.models import Actor
from timeline_api.queries import lookups as queries
from timeline_api.schemas import lookups as schemas
from timeline_api.schemas.common import NoQuery, page_schema
from timeline_api.schemas.events import EventListArgs, EventPageSchema, EventQuery
from timeline_api.schemas.history import HistoryPageSchema, HistoryQuery
from timeline_api.schemas.lookups import ListArgs, list_query

blp = Blueprint(
    "actors",
    __name__,
    url_prefix="/v1/actors",
    description=(
        "States, agencies, military units, groups, companies and public persons. No private "
        "individual is ever an actor."
    ),
)
ACTOR_ID = path_id("actor", "icefcom")


@blp.route("")
class ActorList(MethodView):
    @blp.doc(operationId="listActors")
    @blp.arguments(list_query(Actor, "actors", **schemas.ACTOR_FILTERS), location="query")
    @blp.response(200, page_schema(schemas.ActorSchema, "actors"))
    @blp.problems(400)
    def get(self, args: ListArgs) -> Any:
        """List actors

        Filter by `kind`, `country`, or `q` (words in the name or an alias).
        """
        found = args.filters
        statement = queries.actors(
            tuple(found.get("kind", ())), tuple(found.get("country", ())), found.get("q")
        )
        return lookups.page(statement, Actor, args)

    @blp.doc(
        operationId="createActor",
        **writes.links("Actor", 201, "$response.body#/id"),
        security=SECURITY,
        requestBody=request_body(ActorItemSchema, schemas.ActorDetailSchema),
    )
    @blp.etag
    @blp.response(201, schemas.ActorDetailSchema, headers=LOCATION)
    @blp.problems(*WRITE_PROBLEMS, 409)
    @requires("write")
    def post(self) -> Any:
        """Create an actor

        Needs a `write` token. The body is an actor as `GET` shows it, or in the data-file
        format; every field is validated, unknown fields are refused (422).
        """
        return writes.create(ACTORS)


@blp.route("/<string:id>", parameters=[ACTOR_ID])
class ActorDetail(MethodView):
    @blp.doc(operationId="getActor", **writes.links("Actor", 200, "$request.path.id"))
    @blp.etag
    @blp.arguments(NoQuery, location="query", as_kwargs=True)
    @blp.response(200, schemas.ActorDetailSchema)
    @blp.problems(400, 404)
    def get(self, id: str) -> Any:
        """Get one actor

        Name, kind, country, aliases, and how many events name it.
        """
        return writes.shown(ACTORS, writes.found_or_404(ACTORS, id))

    @blp.doc(
        operationId="updateActor",
        security=SECURITY,
        requestBody=request_body(ActorItemSchema, schemas.ActorDetailSchema),
    )
    @blp.etag
    @blp.response(200, schemas.ActorDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def put(self, id: str) -> Any:
        """Replace an actor

        Needs a `write` token and `If-Match`. The body is the whole actor: what `GET` gave,
        with any member changed, does (`event_count` is ignored).
        """
        return writes.replace(ACTORS, id)

    @blp.doc(operationId="patchActor", security=SECURITY, requestBody=MERGE_PATCH)
    @blp.etag
    @blp.response(200, schemas.ActorDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def patch(self, id: str) -> Any:
        """Change an actor

        Needs a `write` token and `If-Match`. A JSON merge patch (RFC 7396) of the actor as
        `GET` shows it: members given replace the stored ones, `null` removes an optional one.
        """
        return writes.change(ACTORS, id)

    @blp.doc(operationId="deleteActor", security=SECURITY)
    @blp.etag
    @blp.response(204)
    @blp.problems(401, 403, 404, 409)
    @requires("write")
    def delete(self, id: str) -> None:
        """Delete an actor

        Needs a `write` token and `If-Match`. Refused (409) while events still refer
        to it.
        """
        writes.delete(ACTORS, id)


@blp.route("/<string:id>/events", parameters=[ACTOR_ID])
class ActorEvents(MethodView):
    @blp.doc(operationId="listActorEvents", **CSV_DOC)
    @blp.arguments(EventQuery, location="query", as_kwargs=False)
    @blp.response(200, EventPageSchema, headers=LIST_HEADERS)
    @blp.problems(400, 404)
    def get(self, args: EventListArgs, id: str) -> Any:
        """List an actor's events

        The events naming this actor, in any role; the parameters of `/v1/events` apply,
        and `actor` is this one.
        """
        writes.found_or_404(ACTORS, id)
        return events_page(replace(args, filters=replace(args.filters, actors=(id,))))


@blp.route("/<string:id>/history", parameters=[ACTOR_ID])
class ActorHistory(MethodView):
    @blp.doc(operationId="listActorHistory")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPageSchema)
    @blp.problems(400, 404)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """History of an actor

        Every change to it, oldest first: who, when, and the record before and after, in the
        data-file format.
        """
        return writes.history(ACTORS, id, query)


@blp.route("/<string:id>/history/<int:revision>/restore", parameters=[ACTOR_ID, REVISION])
class ActorRestore(MethodView):
    @blp.doc(operationId="restoreActor", security=SECURITY)
    @blp.etag
    @blp.response(200, schemas.ActorDetailSchema)
    @blp.problems(401, 403, 404, 409, 422)
    @requires("admin")
    def post(self, id: str, revision: int) -> Any:
        """Restore a revision of an actor

        Needs an `admin` token. Makes the actor what it was after that revision; the restore
        is itself a new revision.
        """
        return writes.restore(ACTORS, id, revision)


def found(id: str) -> Any:
    """The actor as its GET shows it (with its event count), or None."""
    return lookups.found(Actor, id)


ACTORS = writes.Editable(
    "actors", "actor", blp, schemas.ActorDetailSchema, found, "actors.ActorDetail"
)
