"""Request bodies read whole, never past MAX_CONTENT_LENGTH, however they are sent, in UTF-8."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from timeline_api.api.errors import ProblemException

# What is read as UTF-8 without a change of meaning.
UTF8 = ("utf-8", "utf8", "us-ascii", "ascii")


class TooLarge(ProblemException):
    """413: the body is over the configured limit."""

    status = 413


class NotUtf8(ProblemException):
    """415: a body declared in another character set; it would be misread, not converted."""

    status = 415


def read(advice: str = "") -> bytes:
    """The whole body; TooLarge when it is over MAX_CONTENT_LENGTH, sized or chunked.

    Werkzeug refuses a Content-Length over the limit, but a chunked body (no Content-Length)
    is only cut at the limit: read whole, it would come back truncated, and an import of the
    first part of a file would succeed. One byte more after the limit is the tell.
    """
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in UTF8:
        raise NotUtf8(f"Send the body in UTF-8 (charset=utf-8), not {charset[:40]}.")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    message = f"The body is over the limit of {limit:,} bytes (MAX_CONTENT_LENGTH).{advice}"
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise TooLarge(message) from None
    cut = limit is not None and len(data) >= limit and request.content_length is None
    if cut and request.environ["wsgi.input"].read(1):
        raise TooLarge(message)
    return data
