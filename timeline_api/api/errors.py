"""RFC 9457 problem details: the one shape of every error answer."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, NotFound

PROBLEM_JSON = "application/problem+json"
LOCATIONS = {"query": "parameter", "view_args": "parameter", "path": "parameter"}

log = logging.getLogger(__name__)


class InvalidParameter(Exception):
    """A query parameter that is well formed but cannot be honoured (an unknown id, say)."""

    def __init__(self, parameter: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.parameter, self.detail, self.status = parameter, detail, status


def problem(
    status: int, detail: str, headers: Iterable[tuple[str, str]] = (), **members: Any
) -> Response:
    """An RFC 9457 answer; `members` adds extensions such as `errors`."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    response = jsonify({**body, "detail": detail, **members})
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in headers:
        response.headers[name] = value
    return response


def validation_errors(messages: dict[str, Any]) -> list[dict[str, str]]:
    """webargs messages ({location: {field: [reasons]}}) as a flat list naming each field."""
    errors: list[dict[str, str]] = []
    for location, fields in messages.items():
        member = LOCATIONS.get(location, "pointer")
        for path, reason in _walk(fields, ()):
            name = ".".join(path) if member == "parameter" else "/" + "/".join(path)
            errors.append({member: name, "detail": reason})
    return errors


def _walk(messages: Any, path: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(messages, list | tuple) and messages and isinstance(messages[0], str):
        for reason in messages:
            yield path, reason
    else:
        yield path, str(messages)


def _summary(errors: list[dict[str, str]]) -> str:
    first = errors[0]
    name = first.get("parameter") or first.get("pointer") or "input"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"'{name}' {_lower(first['detail'])}{more}"


def _lower(reason: str) -> str:
    reason = reason.rstrip(".")
    return reason[:1].lower() + reason[1:] if reason[:2] != reason[:2].upper() else reason


def handle_http_exception(error: HTTPException) -> Response:
    """Every HTTP error, from abort(), routing (404, 405) or argument validation."""
    status = error.code or 500
    if status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.exception("unhandled error", exc_info=original)
        return problem(status, "The server failed to answer this request; it has been logged.")
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        errors = validation_errors(data["messages"])
        return problem(status, _summary(errors), headers, errors=errors)
    detail = data.get("message") or _detail(error, status)
    return problem(
        status, detail, headers, **({"errors": data["errors"]} if "errors" in data else {})
    )


def _detail(error: HTTPException, status: int) -> str:
    if status == 404 and error.description == NotFound.description:
        return f"Nothing is at {request.path}; the API starts at /v1/events (docs at /docs)."
    if status == 405:
        allowed = ", ".join(getattr(error, "valid_methods", None) or ())
        return f"{request.method} is not allowed on {request.path}; use {allowed}."
    return error.description or HTTPStatus(status).description


def register(app: Flask) -> None:
    """Map domain and database errors to problems; flask-smorest calls handle_http_exception."""

    @app.errorhandler(InvalidParameter)
    def _invalid_parameter(error: InvalidParameter) -> Response:
        errors = [{"parameter": error.parameter, "detail": error.detail}]
        return problem(error.status, f"'{error.parameter}' {error.detail}", errors=errors)

    @app.errorhandler(IntegrityError)
    def _conflict(_error: IntegrityError) -> Response:
        return problem(409, "The change conflicts with data already stored.")

    @app.errorhandler(OperationalError)
    def _unavailable(error: OperationalError) -> Response:
        log.warning("database error: %s", error.orig)
        return problem(
            503,
            "The database is unavailable or the query took too long; retry later.",
            [("Retry-After", "5")],
        )
