"""What the write routes of every resource share: the record, If-Match, the body, the answer.

The routes live beside the reads, in each resource's module (events.py, lookups.py, series.py):
the list's `MethodView` holds `post`; the detail's holds `get`, `put`, `patch` and `delete`.
Writes to an existing record need `If-Match` with the ETag its GET gave (412 when stale, 428 when
missing), so two editors cannot overwrite each other unseen. A body is what GET gives, or the
data-file form (timeline_api/schemas/bodies.py reads both).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, request, url_for
from marshmallow import Schema

from timeline_api import db
from timeline_api.api import bodies
from timeline_api.api.auth import author
from timeline_api.api.base import Blueprint
from timeline_api.api.history import has_history, history_page
from timeline_api.models import Revision
from timeline_api.schemas.bodies import as_item
from timeline_api.schemas.history import LARGEST_ID
from timeline_api.services import writes

BODY_TYPES = ("application/json", "application/merge-patch+json")
# Change ids are 64-bit integers on every database: a larger number names no change.
REVISION = {
    "in": "path",
    "name": "revision",
    "description": "A change id from the history.",
    "example": 42,
    "schema": {"type": "integer", "minimum": 0, "maximum": LARGEST_ID},
}
LOCATION = {
    "Location": {"description": "The new record's URL.", "schema": {"type": "string"}},
}
# Every write can meet these; PUT, PATCH and DELETE also 412 and 428 (from `blp.etag`).
WRITE_PROBLEMS = (400, 401, 403, 413, 415, 422)


@dataclass(frozen=True)
class Editable:
    """What the shared write helpers need to know of one resource."""

    name: str  # the data-file list: "events", "event_types", ...
    what: str  # for messages: "event", "event type"
    blp: Blueprint
    detail: type[Schema]  # the GET detail schema
    load: Callable[[str], Any]  # the record as GET shows it, or None; 410 when deleted
    endpoint: str  # the GET detail endpoint, for Location


def found_or_404(kind: Editable, id: str) -> Any:
    record = kind.load(id)
    if record is None:
        abort(404, f"No {kind.what} has the id '{id}'.")
    return record


def shown(kind: Editable, record: Any) -> Any:
    """The record for a GET, tagged with its state's ETag."""
    kind.blp.set_etag(writes.state_tag(db.session(), kind.name, record))
    return record


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


def _answer(kind: Editable, record: Any, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    db.session().commit()
    id = writes.public_id(record)
    fresh = kind.load(id)
    kind.blp.set_etag(writes.state_tag(db.session(), kind.name, fresh))
    headers = {"Location": url_for(kind.endpoint, id=id)} if status == 201 else {}
    return fresh, status, headers


def _current(kind: Editable, id: str) -> tuple[Any, dict[str, Any]]:
    """The record, checked against If-Match, and as GET shows it."""
    record = found_or_404(kind, id)
    kind.blp.check_etag(writes.state_tag(db.session(), kind.name, record))
    return record, kind.detail().dump(record)


def create(kind: Editable) -> tuple[Any, int, dict[str, str]]:
    item = as_item(kind.name, _body())
    return _answer(kind, writes.create(db.session(), kind.name, item, author()), 201)


def replace(kind: Editable, id: str) -> tuple[Any, int, dict[str, str]]:
    record, current = _current(kind, id)
    item = as_item(kind.name, _body(), current)
    return _answer(kind, writes.replace(db.session(), kind.name, record, item, author()))


def change(kind: Editable, id: str) -> tuple[Any, int, dict[str, str]]:
    """A merge patch (RFC 7396) applied to the record as GET shows it."""
    record, current = _current(kind, id)
    item = as_item(kind.name, writes.merge_patch(current, _body()), current)
    return _answer(kind, writes.replace(db.session(), kind.name, record, item, author()))


def delete(kind: Editable, id: str) -> None:
    record, _current_body = _current(kind, id)
    writes.delete(db.session(), kind.name, record, author())
    db.session().commit()


def history(kind: Editable, id: str, query: dict[str, Any]) -> Any:
    found = writes.find(db.session(), kind.name, id)
    if found is None and not has_history(kind.name, id):
        abort(404, f"No {kind.what} has the id '{id}', nor ever had.")
    return history_page(kind.name, id, query)


def restore(kind: Editable, id: str, revision: int) -> tuple[Any, int, dict[str, str]]:
    found = db.session().get(Revision, revision) if revision <= LARGEST_ID else None
    if found is None or found.record_type != kind.name or found.record_id != id:
        abort(404, f"The {kind.what} '{id}' has no revision {revision}.")
    return _answer(kind, writes.restore_revision(db.session(), found, author()))


def links(name: str, status: int, id: str) -> dict[str, Any]:
    """OpenAPI links from an answer showing the record to the writes on it: a client (or a
    generated test) learns that the ETag goes into If-Match. `id` is a runtime expression."""
    targets = {"update": "Replace", "patch": "Change", "delete": "Delete"}
    found = {
        f"{verb.title()}{name}": {
            "operationId": f"{verb}{name}",
            "description": f"{what} it, with this answer's ETag in If-Match.",
            "parameters": {"path.id": id, "header.If-Match": "$response.header.ETag"},
        }
        for verb, what in targets.items()
    }
    return {"responses": {status: {"links": found}}}


def request_body(item: type[Schema], detail: type[Schema]) -> dict[str, Any]:
    """A POST or PUT body: the record as GET shows it, or in the data-file form."""
    either = {"anyOf": [item, detail]}
    return {"required": True, "content": {"application/json": {"schema": either}}}


# One named schema for every PATCH body, so that generated clients make one model of it.
MERGE_PATCH_SCHEMA = {
    "type": "object",
    "description": "A JSON merge patch (RFC 7396): members to change, as GET shows them or in "
    "the data-file form; `null` removes an optional member.",
}
# Documented as merge-patch+json only (application/json is accepted too): generators make
# one body per media type, and two of the same schema collide.
MERGE_PATCH = {
    "required": True,
    "content": {
        "application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/MergePatch"}}
    },
}
