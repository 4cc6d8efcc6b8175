"""Opaque cursors and the query arguments every list shares."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from marshmallow import ValidationError, fields, validate

from timeline_api.queries.paging import Key, Order, decode_key, encodable

MAX_LIMIT = 500


def encode_cursor(order: Order, key: Key) -> str:
    """A URL-safe token holding the sort and the last key of a page."""
    payload = json.dumps([order.name, *map(encodable, key)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(token: str, order: Order) -> Key:
    """The key a cursor holds; a ValidationError for one we did not make for this sort."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        name, *values = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise ValidationError("is not a cursor this API gave out", "cursor") from None
    if name != order.name:
        raise ValidationError(
            f"was made for sort={name}; keep the sort when paging, or start again", "cursor"
        )
    try:
        return decode_key(values, order)
    except (ValueError, TypeError):
        raise ValidationError("is not a cursor this API gave out", "cursor") from None


def limit_field(default: int = 50) -> fields.Integer:
    return fields.Integer(
        load_default=default,
        strict=False,
        validate=validate.Range(1, MAX_LIMIT, error=f"must be between 1 and {MAX_LIMIT}"),
        metadata={"description": f"Page size, 1 to {MAX_LIMIT}.", "example": default},
    )


def cursor_field() -> fields.String:
    """A page's cursor. No example: a cursor belongs to its sort and filters, and the docs
    would send it with every "Try it out"."""
    return fields.String(
        validate=validate.Length(max=500),
        metadata={
            "description": "Opaque; from `meta.next_cursor` or `links.next` of the page before. "
            "Keep the other parameters as they were.",
        },
    )


class Repeated(fields.List[Any]):
    """A list parameter: repeat it (`?tag=a&tag=b`) or separate by commas (`?tag=a,b`)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        split = [part.strip() for item in values for part in str(item).split(",")]
        if "" in split:  # `?kind=` filters by nothing the document allows: say so
            raise ValidationError("has an empty value; give one, or leave the parameter out")
        return super()._deserialize(split, attr, data, **kwargs)
