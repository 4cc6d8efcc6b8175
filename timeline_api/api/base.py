"""Our flask-smorest Api and Blueprint: strict query parsing and problem+json errors."""

from __future__ import annotations

import hashlib
import http
from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Response, request
from flask_smorest.utils import get_appcontext, prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from timeline_api.api import errors
from timeline_api.schemas.common import ProblemSchema

# Bad input of any kind is a 400: the request, not its meaning, was wrong.
VALIDATION_STATUS = 400


class Parser(FlaskParser):
    """Refuses unknown query parameters instead of ignoring a typo silently."""

    DEFAULT_UNKNOWN_BY_LOCATION = {  # noqa: RUF012 (webargs reads it from the class)
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "json": ma.RAISE,
    }
    DEFAULT_VALIDATION_STATUS = VALIDATION_STATUS

    def load_querystring(self, req: Any, schema: ma.Schema) -> Any:
        """The query, refusing a single-valued parameter given twice (`?limit=1&limit=2`),
        which webargs would read as its first value, silently."""
        proxy = super().load_querystring(req, schema)
        known = {field.data_key or name for name, field in schema.fields.items()}
        twice = {
            name: ["is given more than once; give it once"]
            for name, values in req.args.lists()
            if len(values) > 1 and name in known and name not in proxy.multiple_keys
        }
        if twice:
            raise ma.ValidationError(twice)
        return proxy


def path_id(what: str, example: str) -> dict[str, Any]:
    """The documentation of an `{id}` path parameter."""
    return {"in": "path", "name": "id", "description": f"The {what}'s id.", "example": example}


def _state_of(tag: str) -> str:
    """The record-state part of one of our ETags, as sent plain or compressed ("...:gzip")."""
    return tag.split(":", 1)[0].split(".", 1)[0]


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # untyped library
    """flask-smorest's Blueprint with strict parsing, documented problems, and record ETags.

    A record's ETag is `"<state>.<body>"`: `state` digests the record's own stored state,
    `body` hashes this representation. A cache revalidating with If-None-Match compares the
    whole tag, so it sees new counts or a renamed actor; If-Match compares `state` only, so an
    editor is not refused (412) because another record now refers to this one.
    """

    ARGUMENTS_PARSER = Parser()

    def problems(self, *statuses: int) -> Callable[[Any], Any]:
        """Document error answers of a view, each as its status's problem+json response."""

        def decorate(view: Any) -> Any:
            for status in statuses:
                view = self.alt_response(status, response=http.HTTPStatus(status).name)(view)
            return view

        return decorate

    def set_etag(self, etag_data: str, etag_schema: Any = None) -> None:
        """Tag the answer with the record's state (`writes.state_tag`)."""
        get_appcontext().setdefault("etag", {})["state"] = etag_data

    def check_etag(self, etag_data: str, etag_schema: Any = None) -> None:
        """428 without If-Match (or with `*`), 412 when it names another state of the record."""
        get_appcontext().setdefault("etag", {})["etag_checked"] = True
        if not request.headers.get("If-Match"):
            raise errors.PreconditionRequired(
                "send If-Match with the ETag of the record's GET to change it"
            )
        if request.if_match.star_tag:  # "*" would let any stale client overwrite
            raise errors.PreconditionRequired("send the record's ETag in If-Match, not *")
        if not any(_state_of(tag) == etag_data for tag in request.if_match):
            raise errors.PreconditionFailed(
                "the record changed since that ETag was given; GET it again"
            )

    def _set_etag_in_response(self, response: Response) -> None:
        state = get_appcontext().get("etag", {}).get("state")
        if state is None or request.method not in self.METHODS_ALLOWING_SET_ETAG:
            return
        body = hashlib.blake2b(response.get_data(), digest_size=8).hexdigest()
        response.set_etag(f"{state}.{body}")

    def _check_precondition(self) -> None:
        """Nothing before the view: `check_etag` asks for If-Match once the record is found,
        so that a missing token is a 401 and a missing record a 404 first."""

    def _check_not_modified(self, etag: str) -> None:
        """Nothing here: timeline_api/api/http.py answers 304 for every GET alike."""


class Api(flask_smorest.Api):  # type: ignore[misc]  # untyped library
    """Documents every error as application/problem+json and answers them that way."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return errors.handle_http_exception(error)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, errors.PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {
            "description": "An error, as RFC 9457 problem details.",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(default, self.spec, errors.PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)

    def _register_pagination_header(self) -> None:
        """Nothing: lists page by cursor (schemas/paging.py), not flask-smorest's pages."""

    def _register_etag_headers(self) -> None:
        self.spec.components.parameter("IF_NONE_MATCH", "header", IF_NONE_MATCH, lazy=True)
        self.spec.components.parameter("IF_MATCH", "header", IF_MATCH, lazy=True)
        self.spec.components.header("ETAG", ETAG, lazy=True)


ETAG_EXAMPLE = '"0c6b1f2e9a7d4c3b8e5f6a1d2c3b4a59.5e8f1d2c3b4a5968"'
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the record's GET (or of the last write's answer). A write "
    "without it is a 428; one naming an older state of the record, a 412.",
    "schema": {"type": "string", "example": ETAG_EXAMPLE},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "description": "An ETag this client has: the answer is an empty 304 while it is current.",
    "schema": {"type": "string", "example": ETAG_EXAMPLE},
}
ETAG = {
    "description": "The version of this answer: send it in If-None-Match to revalidate, and "
    "in If-Match to change the record.",
    "schema": {"type": "string", "example": ETAG_EXAMPLE},
}
