"""Turning a query Page into the response envelope, links and a Link header."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.urls import iri_to_uri

from timeline_api.queries.paging import Page
from timeline_api.schemas.paging import encode_cursor

T = TypeVar("T")


def _url(cursor: str | None) -> str:
    args = MultiDict(request.args)
    args.pop("cursor", None)
    if cursor is not None:
        args["cursor"] = cursor
    query = urlencode(list(args.items(multi=True)))
    return iri_to_uri(request.base_url) + (f"?{query}" if query else "")


def envelope(page: Page[T], orders: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The body members and headers of a page: data, meta, links, Link, X-Total-Count."""
    cursor = encode_cursor(orders[page.order], page.next_key) if page.next_key is not None else None
    next_url = _url(cursor) if cursor else None
    counted = page.total is not None and page.total_is_exact
    headers = {"X-Total-Count": str(page.total)} if counted else {}
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    body = {
        "data": page.items,
        "meta": {
            "total": page.total,
            "total_is_exact": page.total_is_exact,
            "count": len(page.items),
            "limit": page.limit,
            "sort": page.order,
            "next_cursor": cursor,
        },
        # URIs, not IRIs: a search for "ü" is given back as %C3%BC, as the document promises.
        "links": {"self": iri_to_uri(request.url), "next": next_url},
    }
    return body, headers
