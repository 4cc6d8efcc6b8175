"""Revisions over HTTP: one record's history, and the feed of every change since a point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask.views import MethodView
from marshmallow import ValidationError
from sqlalchemy import select

from timeline_api import db
from timeline_api.api.base import Blueprint
from timeline_api.api.errors import InvalidParameter
from timeline_api.api.paging import envelope
from timeline_api.models import Revision
from timeline_api.queries.paging import CHANGES, fetch_page
from timeline_api.schemas.history import ChangesQuery, HistoryPageSchema
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


@blp.route("")
class Changes(MethodView):
    @blp.doc(operationId="listChanges")
    @blp.arguments(ChangesQuery, location="query")
    @blp.response(200, HistoryPageSchema)
    @blp.problems(400)
    def get(self, query: dict[str, Any]) -> Any:
        """List changes

        What was created, updated, deleted or restored, oldest first, with the records before
        and after. Keep the last `id` you saw and ask again with `since=<id>`.
        """
        statement = select(Revision)
        since = query.get("since")
        if isinstance(since, datetime):
            statement = statement.where(Revision.created_at > since)
        elif since is not None:
            statement = statement.where(Revision.id > since)
        page = fetch_page(db.session(), statement, CHANGES, query["limit"], _after(query))
        body, headers = envelope(page, {CHANGES.name: CHANGES})
        return body, 200, headers
