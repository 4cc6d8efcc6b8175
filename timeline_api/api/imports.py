"""/v1/import: the command-line import over HTTP, for admins."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, request
from flask.views import MethodView
from marshmallow import fields

from timeline_api import db
from timeline_api.api import bodies
from timeline_api.api.auth import SECURITY, author, requires
from timeline_api.api.base import Blueprint
from timeline_api.schemas.common import Documented, Shown
from timeline_api.services import imports

blp = Blueprint(
    "import", __name__, url_prefix="/v1/import", description=("Bulk loading, all or nothing.")
)

MEDIA = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "text/csv": "csv",
    "application/yaml": "yaml",
}

# A JSON file is an object of lists; the other formats are files of their own kind.
BODY = {
    media: {
        "schema": {"type": "object", "description": "A data file in the export format."}
        if fmt == "json"
        else {"type": "string", "format": "binary", "contentMediaType": media}
    }
    for media, fmt in MEDIA.items()
}


class ImportQuery(Documented):
    """How to import."""

    dry_run = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Check and report what would change; write nothing.",
            "example": True,
        },
    )


def _counts(description: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": description, "example": {"events": 2, "sources": 1}},
    )


class ImportSummarySchema(Shown):
    """What an import did (or, as a dry run, would do), per list."""

    dry_run = fields.Boolean(metadata={"description": "Nothing was written.", "example": False})
    created = _counts("New records.")
    updated = _counts("Changed records.")
    unchanged = _counts("Records already as in the file.")


@blp.route("")
class Import(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.response(200, ImportSummarySchema)
    @blp.problems(400, 401, 403, 413, 415, 422)
    @blp.doc(
        operationId="importData",
        security=SECURITY,
        requestBody={"required": True, "content": BODY},
    )
    @requires("admin")
    def post(self, query: dict[str, Any]) -> Any:
        """Import a data file

        Needs an `admin` token. The body is a file in the export format (JSON or NDJSON),
        YAML, or CSV (one event per row), by its Content-Type. The whole file is checked
        first; with any problem nothing is written and the problems are listed (422), each
        with its line or row. Records are upserted by id in one transaction. Bodies over the
        configured limit get 413: import large files with the command line.
        """
        fmt = MEDIA.get(request.mimetype)
        if fmt is None:
            abort(415, f"Send one of: {', '.join(MEDIA)}.")
        file = imports.File("request body", fmt, lambda: io.BytesIO(_body()))
        summary = imports.run(db.session(), file, author(), query["dry_run"])
        return {"dry_run": query["dry_run"], **summary.as_dict()}


def _body() -> bytes:
    return bodies.read(
        " Import large files with the command line: `timeline-api import FILE`, which streams them."
    )
