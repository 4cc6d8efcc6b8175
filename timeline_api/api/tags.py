"""/v1/tags: labels on events."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from timeline_api.api import lookups, writes
from timeline_api.api.auth import SECURITY, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.writes import LOCATION, MERGE_PATCH, REVISION, WRITE_PROBLEMS, request_body
from timeline_api.datafile.schemas import TagItemSchema
from timeline_api.models import Tag
from timeline_api.schemas import lookups as schemas
from timeline_api.schemas.common import NoQuery, page_schema
from timeline_api.schemas.history import HistoryPageSchema, HistoryQuery
from timeline_api.schemas.lookups import ListArgs, list_query

blp = Blueprint(
    "tags",
    __name__,
    url_prefix="/v1/tags",
    description="Labels on events.",
)
TAG_ID = path_id("tag", "cyber")


@blp.route("")
class TagList(MethodView):
    @blp.doc(operationId="listTags")
    @blp.arguments(list_query(Tag, "tags"), location="query")
    @blp.response(200, page_schema(schemas.TagSchema, "tags"))
    @blp.problems(400)
    def get(self, args: ListArgs) -> Any:
        """List tags

        Every tag, in id order.
        """
        return lookups.page(select(Tag), Tag, args)

    @blp.doc(
        operationId="createTag",
        **writes.links("Tag", 201, "$response.body#/id"),
        security=SECURITY,
        requestBody=request_body(TagItemSchema, schemas.TagDetailSchema),
    )
    @blp.etag
    @blp.response(201, schemas.TagDetailSchema, headers=LOCATION)
    @blp.problems(*WRITE_PROBLEMS, 409)
    @requires("write")
    def post(self) -> Any:
        """Create a tag

        Needs a `write` token. The body is a tag as `GET` shows it, or in the data-file
        format; every field is validated, unknown fields are refused (422).
        """
        return writes.create(TAGS)


@blp.route("/<string:id>", parameters=[TAG_ID])
class TagDetail(MethodView):
    @blp.doc(operationId="getTag", **writes.links("Tag", 200, "$request.path.id"))
    @blp.etag
    @blp.arguments(NoQuery, location="query", as_kwargs=True)
    @blp.response(200, schemas.TagDetailSchema)
    @blp.problems(400, 404)
    def get(self, id: str) -> Any:
        """Get one tag

        The tag, and how many events carry it.
        """
        return writes.shown(TAGS, writes.found_or_404(TAGS, id))

    @blp.doc(
        operationId="updateTag",
        security=SECURITY,
        requestBody=request_body(TagItemSchema, schemas.TagDetailSchema),
    )
    @blp.etag
    @blp.response(200, schemas.TagDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def put(self, id: str) -> Any:
        """Replace a tag

        Needs a `write` token and `If-Match`. The body is the whole tag: what `GET` gave,
        with any member changed, does (`event_count` is ignored).
        """
        return writes.replace(TAGS, id)

    @blp.doc(operationId="patchTag", security=SECURITY, requestBody=MERGE_PATCH)
    @blp.etag
    @blp.response(200, schemas.TagDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def patch(self, id: str) -> Any:
        """Change a tag

        Needs a `write` token and `If-Match`. A JSON merge patch (RFC 7396) of the tag as
        `GET` shows it: members given replace the stored ones, `null` removes an optional one.
        """
        return writes.change(TAGS, id)

    @blp.doc(operationId="deleteTag", security=SECURITY)
    @blp.etag
    @blp.response(204)
    @blp.problems(401, 403, 404, 409)
    @requires("write")
    def delete(self, id: str) -> None:
        """Delete a tag

        Needs a `write` token and `If-Match`. Refused (409) while events still refer
        to it.
        """
        writes.delete(TAGS, id)


@blp.route("/<string:id>/history", parameters=[TAG_ID])
class TagHistory(MethodView):
    @blp.doc(operationId="listTagHistory")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPageSchema)
    @blp.problems(400, 404)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """History of a tag

        Every change to it, oldest first: who, when, and the record before and after, in the
        data-file format.
        """
        return writes.history(TAGS, id, query)


@blp.route("/<string:id>/history/<int:revision>/restore", parameters=[TAG_ID, REVISION])
class TagRestore(MethodView):
    @blp.doc(operationId="restoreTag", security=SECURITY)
    @blp.etag
    @blp.response(200, schemas.TagDetailSchema)
    @blp.problems(401, 403, 404, 409, 422)
    @requires("admin")
    def post(self, id: str, revision: int) -> Any:
        """Restore a revision of a tag

        Needs an `admin` token. Makes the tag what it was after that revision; the restore
        is itself a new revision.
        """
        return writes.restore(TAGS, id, revision)


def found(id: str) -> Any:
    """The tag as its GET shows it (with its event count), or None."""
    return lookups.found(Tag, id)


TAGS = writes.Editable("tags", "tag", blp, schemas.TagDetailSchema, found, "tags.TagDetail")
