"""RFC 9457 problem details: the one shape of every error answer."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, NotFound

from timeline_api.datafile import DatasetError
from timeline_api.services.writes import Conflict

PROBLEM_JSON = "application/problem+json"
LOCATIONS = {"query": "parameter", "view_args": "parameter", "path": "parameter"}

log = logging.getLogger(__name__)


class ProblemException(Exception):
    """A domain error with its HTTP status; subclasses set `status` (and maybe headers)."""

    status = 400
    headers: tuple[tuple[str, str], ...] = ()

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidParameter(ProblemException):
    """A query parameter that is well formed but cannot be honoured (an unknown id, say)."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(f"'{parameter}' {detail}")
        self.parameter, self.reason = parameter, detail


class PreconditionFailed(ProblemException):
    """412: the If-Match ETag is not the record's current one."""

    status = 412


class PreconditionRequired(ProblemException):
    """428: a write to an existing record came without If-Match."""

    status = 428


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
            if member == "parameter":  # `?tag=a&tag=B`: the parameter is `tag`, say which value
                name, values = path[0], [part for part in path[1:] if part.isdigit()]
                reason = f"{reason} (value {int(values[0]) + 1})" if values else reason
            else:
                name = "/" + "/".join(path)
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
    if status >= 500:  # Flask has logged the exception; the client learns nothing of it
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


def refuse_nul_characters() -> None:
    """No database stores NUL in text; name the parameter rather than fail later."""
    for name, values in request.args.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise InvalidParameter(name.replace("\x00", ""), "must not contain NUL characters")


def register(app: Flask) -> None:
    """Map domain and database errors to problems; flask-smorest calls handle_http_exception."""

    app.before_request(refuse_nul_characters)

    @app.errorhandler(InvalidParameter)
    def _invalid_parameter(error: InvalidParameter) -> Response:
        errors = [{"parameter": error.parameter, "detail": error.reason}]
        return problem(error.status, error.detail, errors=errors)

    @app.errorhandler(ProblemException)
    def _domain(error: ProblemException) -> Response:
        return problem(error.status, error.detail, error.headers)

    @app.errorhandler(DatasetError)
    def _invalid_body(error: DatasetError) -> Response:
        errors = [
            {
                "pointer": p.pointer or "/",
                "detail": p.detail,
                **({"at": p.place} if p.place else {}),
            }
            for p in error.problems
        ]
        more = error.count - 1
        listed = f"; the first {len(errors)} are listed" if error.omitted else ""
        return problem(
            422,
            f"'{errors[0]['pointer']}' {errors[0]['detail']}"
            + (f" (and {more} more{listed})" if more else ""),
            errors=errors,
        )

    @app.errorhandler(Conflict)
    def _duplicate(error: Conflict) -> Response:
        return problem(409, str(error)[:1].upper() + str(error)[1:] + ".")

    @app.errorhandler(StaleDataError)
    def _stale(_error: StaleDataError) -> Response:
        return problem(412, "The record changed while this change was being made; GET it again.")

    @app.errorhandler(DataError)
    def _unstorable(_error: DataError) -> Response:
        return problem(400, "A value cannot be stored or compared (a NUL character, say).")

    @app.errorhandler(IntegrityError)
    def _conflict(_error: IntegrityError) -> Response:
        return problem(409, "The change conflicts with data already stored.")

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(OperationalError)
    def _unavailable(error: OperationalError | PoolTimeout) -> Response:
        log.warning("database error: %s", getattr(error, "orig", error))
        return problem(
            503,
            "The database is unavailable or the query took too long; retry later.",
            [("Retry-After", "5")],
        )
