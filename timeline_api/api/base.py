"""Our flask-smorest Api and Blueprint: strict query parsing and problem+json errors."""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Response
from flask_smorest.utils import prepare_response
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


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # untyped library
    ARGUMENTS_PARSER = Parser()


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
