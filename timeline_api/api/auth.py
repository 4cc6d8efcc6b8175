"""Bearer tokens on requests: who is writing, and whether they may."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from timeline_api import db
from timeline_api.api.errors import ProblemException
from timeline_api.models import ApiToken
from timeline_api.services import tokens

F = TypeVar("F", bound=Callable[..., Any])
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A token from `timeline-api tokens create --name NAME --scope write`. "
    "Scopes: `read` (only where a deployment makes reading private), `write` (create, change, "
    "delete) and `admin` (also restore and import).",
}


class NotAuthenticated(ProblemException):
    """401: no usable token."""

    status = 401
    headers = (("WWW-Authenticate", 'Bearer realm="timeline-api"'),)


class NotAllowed(ProblemException):
    """403: a token without the scope this needs."""

    status = 403


def current_token(scope: str) -> ApiToken:
    """The request's token, checked for `scope`; raises NotAuthenticated or NotAllowed."""
    try:
        token = tokens.authenticate(db.session(), request.headers.get("Authorization"))
    except tokens.TokenError as error:
        raise NotAuthenticated(str(error)) from None
    if not tokens.allows(token, scope):
        raise NotAllowed(
            f"the token '{token.name}' has the scope '{token.scope}'; this needs '{scope}'"
        )
    if scope != "read":
        # Noted in the write's own transaction: kept when the write is, and reads (private
        # deployments) never turn into writes.
        tokens.note_use(token)
    g.token = token
    return token


def requires(scope: str) -> Callable[[F], F]:
    """A view decorator: only tokens with `scope` (or a higher one) get through."""

    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            current_token(scope)
            return view(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def author() -> str:
    """The name the current change is recorded under."""
    return g.token.name  # type: ignore[no-any-return]


def guard_reads() -> None:
    """Private deployments (READ_REQUIRES_TOKEN): every /v1 read needs a `read` token."""
    if (
        current_app.config.get("READ_REQUIRES_TOKEN")
        and request.path.startswith("/v1/")
        and (request.method in ("GET", "HEAD"))
    ):
        current_token("read")
