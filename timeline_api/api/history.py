"""Revisions over HTTP: one record's history, and the feed of every change since a point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, request
from flask.views import MethodView
from marshmallow import ValidationError
from sqlalchemy import Select, select

from timeline_api import db
from timeline_api.api import atom_format
from timeline_api.api.base import Blueprint
from timeline_api.api.errors import InvalidParameter
from timeline_api.api.paging import envelope
from timeline_api.models import Revision
from timeline_api.queries.paging import CHANGES, fetch_page
from timeline_api.schemas.history import ChangesPageSchema, ChangesQuery
from timeline_api.schemas.paging import decode_cursor

blp = Blueprint(
    "changes",
    __name__,
    url_prefix="/v1/changes",
    description=(
        "Every change to every record, in order: for dashboards and mirrors that sync "
        "without re-reading everything."
    ),
)


def _after(query: dict[str, Any]) -> Any:
    cursor = query.get("cursor")
    if not cursor:
        return None
    try:
        return decode_cursor(cursor, CHANGES)
    except ValidationError as error:
        raise InvalidParameter("cursor", str(error.messages[0])) from None


def has_history(record_type: str, record_id: str) -> bool:
    """Whether any revision names the record (it may have been deleted since)."""
    found = select(Revision.id).where(
        Revision.record_type == record_type, Revision.record_id == record_id
    )
    return db.session().scalar(found.limit(1)) is not None


def history_page(record_type: str, record_id: str, query: dict[str, Any]) -> Any:
    statement = select(Revision).where(
        Revision.record_type == record_type, Revision.record_id == record_id
    )
    page = fetch_page(db.session(), statement, CHANGES, query["limit"], _after(query))
    body, headers = envelope(page, {CHANGES.name: CHANGES})
    return body, 200, headers


# Alerts must see a change at once: caches keep the answer but ask (with the ETag) each time.
CHANGES_CACHING = {"Cache-Control": "no-cache"}
ATOM_DOC = {
    "responses": {
        200: {
            "content": {
                atom_format.MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns='
                    '"http://www.w3.org/2005/Atom">...</feed>',
                }
            }
        }
    }
}


def changes_statement(query: dict[str, Any]) -> Select[Revision]:
    """The changes `query` asks for: after `since`, of these record types and actions."""
    statement = select(Revision)
    since = query.get("since")
    if isinstance(since, datetime):
        statement = statement.where(Revision.created_at > since)
    elif since is not None:
        statement = statement.where(Revision.id > since)
    if query.get("record_type"):
        statement = statement.where(Revision.record_type.in_(query["record_type"]))
    if query.get("action"):
        statement = statement.where(Revision.action.in_(query["action"]))
    return statement


def _wants_atom(query: dict[str, Any]) -> bool:
    if query.get("format") is not None:
        return bool(query["format"] == "atom")
    best = request.accept_mimetypes.best_match(["application/json", atom_format.MEDIA_TYPE])
    return best == atom_format.MEDIA_TYPE


def _atom(query: dict[str, Any]) -> Response:
    newest = changes_statement(query).order_by(Revision.id.desc()).limit(query["limit"])
    revisions = list(db.session().scalars(newest))
    record_url = request.url_root + "v1/{type}/{id}"
    feed = atom_format.render(revisions, request.url, record_url)
    headers = {**CHANGES_CACHING, "Vary": "Accept"}
    return Response(feed, mimetype=atom_format.MEDIA_TYPE, headers=headers)


@blp.route("")
class Changes(MethodView):
    @blp.doc(operationId="listChanges")
    @blp.arguments(ChangesQuery, location="query")
    @blp.response(200, ChangesPageSchema)
    @blp.doc(**ATOM_DOC)
    @blp.problems(400)
    def get(self, query: dict[str, Any]) -> Any:
        """List changes

        What was created, updated, deleted or restored, oldest first, with the records before
        and after, optionally of some record types or actions only. Keep `meta.last_id` and
        ask again with `since=<last_id>`. Answers carry `Cache-Control: no-cache`: a cache
        revalidates them (with the ETag) every time, so an alert is never held back.
        `format=atom` gives the newest changes as an Atom feed.
        """
        if _wants_atom(query):
            return _atom(query)
        statement = changes_statement(query)
        page = fetch_page(db.session(), statement, CHANGES, query["limit"], _after(query))
        body, headers = envelope(page, {CHANGES.name: CHANGES})
        since = query.get("since")
        resumed_from = since if isinstance(since, int) else None
        body["meta"]["last_id"] = page.items[-1].id if page.items else resumed_from
        return body, 200, {**headers, **CHANGES_CACHING, "Vary": "Accept"}
