"""/v1/sources: the documents and pages events cite."""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask.views import MethodView

from timeline_api.api import lookups, writes
from timeline_api.api.auth import SECURITY, requires
from timeline_api.api.base import Blueprint, path_id
from timeline_api.api.writes import LOCATION, MERGE_PATCH, REVISION, WRITE_PROBLEMS, request_body
from timeline_api.datafile.schemas import SourceItemSchema
from timeline_api.models import Source
from timeline_api.queries import documents
from timeline_api.queries import lookups as queries
from timeline_api.schemas import lookups as schemas
from timeline_api.schemas.common import NoQuery, page_schema
from timeline_api.schemas.history import HistoryPageSchema, HistoryQuery
from timeline_api.schemas.lookups import ListArgs, list_query

blp = Blueprint(
    "sources",
    __name__,
    url_prefix="/v1/sources",
    description="The documents and pages events cite.",
)
SOURCE_ID = path_id("source", "intelnews-taiwan-soldiers-jailed-2025")


@blp.route("")
class SourceList(MethodView):
    @blp.doc(operationId="listSources")
    @blp.arguments(
        list_query(Source, "sources", q=schemas.q_field("title, publisher or author", "intelNews")),
        location="query",
    )
    @blp.response(200, page_schema(schemas.SourceSchema, "sources"))
    @blp.problems(400)
    def get(self, args: ListArgs) -> Any:
        """List sources

        The documents and pages events cite, in id order; `q` searches title, publisher
        and author.
        """
        return lookups.page(queries.sources(args.filters.get("q")), Source, args)

    @blp.doc(
        operationId="createSource",
        **writes.links("Source", 201, "$response.body#/id"),
        security=SECURITY,
        requestBody=request_body(SourceItemSchema, schemas.SourceDetailSchema),
    )
    @blp.etag
    @blp.response(201, schemas.SourceDetailSchema, headers=LOCATION)
    @blp.problems(*WRITE_PROBLEMS, 409)
    @requires("write")
    def post(self) -> Any:
        """Create a source

        Needs a `write` token. The body is a source as `GET` shows it, or in the data-file
        format; every field is validated, unknown fields are refused (422).
        """
        return writes.create(SOURCES)


@blp.route("/<string:id>", parameters=[SOURCE_ID])
class SourceDetail(MethodView):
    @blp.doc(operationId="getSource", **writes.links("Source", 200, "$request.path.id"))
    @blp.etag
    @blp.arguments(NoQuery, location="query", as_kwargs=True)
    @blp.response(200, schemas.SourceDetailSchema)
    @blp.problems(400, 404)
    def get(self, id: str) -> Any:
        """Get one source

        Publisher, title, author, address and date, and how many events cite it.
        """
        return writes.shown(SOURCES, writes.found_or_404(SOURCES, id))

    @blp.doc(
        operationId="updateSource",
        security=SECURITY,
        requestBody=request_body(SourceItemSchema, schemas.SourceDetailSchema),
    )
    @blp.etag
    @blp.response(200, schemas.SourceDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def put(self, id: str) -> Any:
        """Replace a source

        Needs a `write` token and `If-Match`. The body is the whole source: what `GET` gave,
        with any member changed, does (`event_count` is ignored).
        """
        return writes.replace(SOURCES, id)

    @blp.doc(operationId="patchSource", security=SECURITY, requestBody=MERGE_PATCH)
    @blp.etag
    @blp.response(200, schemas.SourceDetailSchema)
    @blp.problems(*WRITE_PROBLEMS, 404)
    @requires("write")
    def patch(self, id: str) -> Any:
        """Change a source

        Needs a `write` token and `If-Match`. A JSON merge patch (RFC 7396) of the source as
        `GET` shows it: members given replace the stored ones, `null` removes an optional one.
        """
        return writes.change(SOURCES, id)

    @blp.doc(operationId="deleteSource", security=SECURITY)
    @blp.etag
    @blp.response(204)
    @blp.problems(401, 403, 404, 409)
    @requires("write")
    def delete(self, id: str) -> None:
        """Delete a source

        Needs a `write` token and `If-Match`. Refused (409) while citations, alternative
        dates or series points still refer to it.
        """
        writes.delete(SOURCES, id)


DOCUMENT_DOC = {
    "responses": {
        200: {
            "content": {
                "text/plain": {
                    "schema": {"type": "string"},
                    "example": "Source: intelNews, “Taiwan jails soldiers …”\n…",
                }
            }
        }
    }
}


@blp.route("/<string:id>/document", parameters=[SOURCE_ID])
class SourceDocument(MethodView):
    @blp.doc(operationId="getSourceDocument", **DOCUMENT_DOC)
    @blp.arguments(NoQuery, location="query", as_kwargs=True)
    @blp.response(200)
    @blp.problems(400, 404, 410)
    def get(self, id: str) -> Any:
        """Get a source's stored text

        The document the source's quotes are checked against, as plain UTF-8 text: a note on
        its origin, then the text exactly as stored. A citation of this source gives its
        quote's `location`: `start` and `end` count characters (Unicode code points) from the
        start of this body, and `url` opens it at the quote. 404 when the source has no stored
        document (its `url` is then where to read it).
        """
        source = writes.found_or_404(SOURCES, id)
        text = documents.body(source)
        if text is None:
            abort(404, f"The source '{id}' has no stored document; its url is where to read it.")
        return Response(text, mimetype="text/plain")


@blp.route("/<string:id>/history", parameters=[SOURCE_ID])
class SourceHistory(MethodView):
    @blp.doc(operationId="listSourceHistory")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPageSchema)
    @blp.problems(400, 404)
    def get(self, query: dict[str, Any], id: str) -> Any:
        """History of a source

        Every change to it, oldest first: who, when, and the record before and after, in the
        data-file format.
        """
        return writes.history(SOURCES, id, query)


@blp.route("/<string:id>/history/<int:revision>/restore", parameters=[SOURCE_ID, REVISION])
class SourceRestore(MethodView):
    @blp.doc(operationId="restoreSource", security=SECURITY)
    @blp.etag
    @blp.response(200, schemas.SourceDetailSchema)
    @blp.problems(401, 403, 404, 409, 422)
    @requires("admin")
    def post(self, id: str, revision: int) -> Any:
        """Restore a revision of a source

        Needs an `admin` token. Makes the source what it was after that revision; the restore
        is itself a new revision.
        """
        return writes.restore(SOURCES, id, revision)


def found(id: str) -> Any:
    """The source as its GET shows it (with its event count), or None."""
    return lookups.found(Source, id)


SOURCES = writes.Editable(
    "sources", "source", blp, schemas.SourceDetailSchema, found, "sources.SourceDetail"
)
