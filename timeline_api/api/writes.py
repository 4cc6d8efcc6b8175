"""Write endpoints, the same for every resource: create, replace, change, delete, history.

Writes to an existing record need `If-Match` with the ETag its GET gave (412 when stale,
428 when missing), so two editors cannot overwrite each other unseen.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import Response, abort, current_app, request, url_for
from flask.views import MethodView
from marshmallow import Schema

from timeline_api import db
from timeline_api.api import bodies
from timeline_api.api.auth import SECURITY, author, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.errors import ProblemException
from timeline_api.api.history import has_history, history_page
from timeline_api.api.http import etag_matches
from timeline_api.models import Revision
from timeline_api.schemas.history import LARGEST_ID, HistoryPageSchema, HistoryQuery
from timeline_api.services import writes

BODY_TYPES = ("application/json", "application/merge-patch+json")
REVISION = {
    "in": "path",
    "name": "revision",
    "description": "A change id from the history.",
    "example": 42,
}


class PreconditionFailed(ProblemException):
    """412: the If-Match ETag is not the record's current one."""

    status = 412


class PreconditionRequired(ProblemException):
    """428: a write to an existing record came without If-Match."""

    status = 428


@dataclass(frozen=True)
class Resource:
    """What the write endpoints need to know of one resource."""

    name: str  # the data-file list: "events", "event_types", ...
    what: str  # for messages: "event", "event type"
    blp: Blueprint
    body: type[Schema]  # the data-file item schema, for the docs
    detail: type[Schema]  # the GET detail schema
    load: Callable[[str], Any]  # the record as GET shows it, or None; 410 when deleted
    endpoint: str  # the GET detail endpoint, for Location
    example: str  # an id, for the docs


def representation(resource: Resource, record: Any) -> Response:
    """The record's GET response, and so its ETag."""
    response = cast(Response, current_app.json.response(resource.detail().dump(record)))
    response.add_etag()
    return response


def _check_if_match(resource: Resource, record: Any) -> None:
    if not request.headers.get("If-Match"):
        raise PreconditionRequired(
            f"send If-Match with the {resource.what}'s ETag (from its GET) to change it"
        )
    if request.if_match.star_tag:  # "*" would let any stale client overwrite
        raise PreconditionRequired(f"send the {resource.what}'s ETag in If-Match, not *")
    current = representation(resource, record).get_etag()[0] or ""
    if not etag_matches(request.if_match, current):
        raise PreconditionFailed(
            f"the {resource.what} changed since that ETag was given; GET it again"
        )


def _body() -> dict[str, Any]:
    """The request's JSON object; 415 for another media type, 400 for anything but an object."""
    if request.mimetype not in BODY_TYPES:
        abort(415, "Send the body as application/json.")
    try:
        body = json.loads(bodies.read())
    except ValueError as error:  # UnicodeDecodeError is one too
        abort(400, f"The body is not valid JSON: {getattr(error, 'msg', error)}.")
    except RecursionError:  # the decoder recurses per level: no record is nested that deep
        abort(400, "The body is not valid JSON: nested too deeply.")
    if not isinstance(body, dict):
        abort(400, "The body must be a JSON object.")
    return body


def _found(resource: Resource, id: str) -> Any:
    record = resource.load(id)
    if record is None:
        abort(404, f"No {resource.what} has the id '{id}'.")
    return record


def _answer(resource: Resource, record: Any, status: int = 200) -> Response:
    db.session().commit()
    fresh = resource.load(writes.public_id(record))
    response = representation(resource, fresh)
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for(resource.endpoint, id=writes.public_id(record))
    return response


def _a(what: str) -> str:
    """ "an event", "a tag"."""
    return ("an " if what[0] in "aeiou" else "a ") + what


def _docs(
    resource: Resource, summary: str, description: str, body: bool = True, if_match: bool = False
) -> dict[str, Any]:
    doc: dict[str, Any] = {"summary": summary, "description": description, "security": SECURITY}
    if body:
        doc["requestBody"] = {
            "required": True,
            "content": {media: {"schema": resource.body} for media in BODY_TYPES},
        }
    if if_match:
        doc["parameters"] = [
            {
                "in": "header",
                "name": "If-Match",
                "required": True,
                "description": "The ETag of the record's current GET.",
                "schema": {"type": "string"},
                "example": '"3f1a…"',
            }
        ]
    return doc


def register(resource: Resource) -> None:
    """Add POST to the list URL; PUT, PATCH, DELETE and history to the detail URL."""
    blp = resource.blp
    name = resource.name.title().replace("_", "")
    what = resource.what

    def post(self: Any) -> Response:
        record = writes.create(db.session(), resource.name, _body(), author())
        return _answer(resource, record, 201)

    def put(self: Any, id: str) -> Response:
        record = _found(resource, id)
        _check_if_match(resource, record)
        return _answer(
            resource, writes.replace(db.session(), resource.name, record, _body(), author())
        )

    def patch(self: Any, id: str) -> Response:
        record = _found(resource, id)
        _check_if_match(resource, record)
        body = _body()
        return _answer(resource, writes.change(db.session(), resource.name, record, body, author()))

    def delete(self: Any, id: str) -> Response:
        record = _found(resource, id)
        _check_if_match(resource, record)
        writes.delete(db.session(), resource.name, record, author())
        db.session().commit()
        return Response(status=204)

    created = blp.response(201, resource.detail)(
        blp.doc(
            **_docs(
                resource,
                f"Create {_a(what)}",
                f"Needs a `write` token. The body is a {what} in the data-file format; every "
                "field is validated, references must exist, unknown fields are refused (422).",
            )
        )(requires("write")(post))
    )
    blp.route("", endpoint=f"{name}Create", methods=["POST"])(
        type(f"{name}Create", (MethodView,), {"post": created})
    )

    changes = {
        "put": blp.response(200, resource.detail)(
            blp.doc(
                **_docs(
                    resource,
                    f"Replace {_a(what)}",
                    f"Needs a `write` token and `If-Match`. The body is the whole {what}.",
                    if_match=True,
                )
            )(requires("write")(put))
        ),
        "patch": blp.response(200, resource.detail)(
            blp.doc(
                **_docs(
                    resource,
                    f"Change {_a(what)}",
                    "Needs a `write` token and `If-Match`. A JSON merge patch (RFC 7396): members "
                    "given replace the stored ones, `null` removes an optional one.",
                    if_match=True,
                )
            )(requires("write")(patch))
        ),
        "delete": blp.response(204)(
            blp.doc(
                **_docs(
                    resource,
                    f"Delete {_a(what)}",
                    "Needs a `write` token and `If-Match`. "
                    + (
                        "Events are hidden (410 afterwards) and an admin can restore them."
                        if resource.name == "events"
                        else "Refused (409) while events or series still refer to it."
                    ),
                    body=False,
                    if_match=True,
                )
            )(requires("write")(delete))
        ),
    }
    blp.route(
        "/<string:id>",
        endpoint=f"{name}Change",
        methods=["PUT", "PATCH", "DELETE"],
        parameters=[path_id(resource.what, resource.example)],
    )(type(f"{name}Change", (MethodView,), changes))
    _register_history(resource, name)


def _register_history(resource: Resource, name: str) -> None:
    blp = resource.blp

    def get(self: Any, query: dict[str, Any], id: str) -> Any:
        found = writes.find(db.session(), resource.name, id)
        if found is None and not has_history(resource.name, id):
            abort(404, f"No {resource.what} has the id '{id}', nor ever had.")
        return history_page(resource.name, id, query)

    def restore(self: Any, id: str, revision: int) -> Response:
        found = db.session().get(Revision, revision) if revision <= LARGEST_ID else None
        if found is None or found.record_type != resource.name or found.record_id != id:
            abort(404, f"The {resource.what} '{id}' has no revision {revision}.")
        record = writes.restore_revision(db.session(), found, author())
        return _answer(resource, record)

    listed = blp.arguments(HistoryQuery, location="query")(
        blp.response(200, HistoryPageSchema)(
            blp.doc(
                summary=f"History of {_a(resource.what)}",
                description="Every change to it, oldest first: who, when, and the record before "
                "and after, in the data-file format.",
            )(get)
        )
    )
    blp.route(
        "/<string:id>/history",
        endpoint=f"{name}History",
        parameters=[path_id(resource.what, resource.example)],
    )(type(f"{name}History", (MethodView,), {"get": listed}))
    restored = blp.response(200, resource.detail)(
        blp.doc(
            **_docs(
                resource,
                f"Restore a revision of {_a(resource.what)}",
                f"Needs an `admin` token. Makes the {resource.what} what it was after that "
                "revision; the restore is itself a new revision.",
                body=False,
            )
        )(requires("admin")(restore))
    )
    blp.route(
        "/<string:id>/history/<int:revision>/restore",
        endpoint=f"{name}Restore",
        methods=["POST"],
        parameters=[path_id(resource.what, resource.example), REVISION],
    )(type(f"{name}Restore", (MethodView,), {"post": restored}))
