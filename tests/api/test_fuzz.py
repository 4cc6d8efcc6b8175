"""Arbitrary JSON, with a valid token, to every write endpoint, and arbitrary strings to every
query parameter of every read (issue 12): never a 5xx.

The bodies are members each resource knows (and some it does not) holding any JSON value:
strings with lone surrogates and NUL, huge integers, nested lists and objects. Whatever is
written is kept for the next example; only the absence of server errors is asserted, and that
every refusal is a problem.
"""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.editing import KINDS, Tokens, Writer, tokens, writer
from timeline_api.app import create_app

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)  # surrogates and NUL too
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | ANY_TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
MEMBERS = sorted(
    {member for kind in KINDS.values() for member in kind.new}
    | {"actors", "tags", "links", "citations", "countries", "aliases", "points", "kind", "role"}
)


def bodies() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(MEMBERS) | ANY_TEXT, JSON, max_size=8)


def send(writer: Writer, method: str, path: str, body: dict[str, Any]) -> Any:
    headers = dict(writer.auth)
    if method != "post":
        headers["If-Match"] = writer.client.get(path).headers.get("ETag", "*")
    return writer.client.open(
        path,
        method=method.upper(),
        data=json.dumps(body),  # ensure_ascii: a lone surrogate goes as "\\udxxx"
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize("method", ["post", "put", "patch"])
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies())
def test_any_json_body_is_answered_without_a_server_error(
    writer: Writer, name: str, method: str, body: dict[str, Any]
) -> None:
    kind = KINDS[name]
    path = kind.path if method == "post" else kind.url(kind.in_use or "")
    if method != "post" and kind.in_use is None:
        path = kind.url(_any_id(writer, kind.path))
    response = send(writer, method, path, body)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


def _any_id(writer: Writer, path: str) -> str:
    listed = writer.client.get(path).json["data"]
    return str(listed[0]["id"])


def read_parameters() -> list[tuple[str, str]]:
    """(path, query parameter) of every documented read without a path parameter."""
    app = create_app({"DATABASE_URL": "sqlite://"})
    paths = app.test_client().get("/openapi.json").json["paths"]
    app.extensions["db_engine"].dispose()
    return [
        (path, parameter["name"])
        for path, operations in paths.items()
        if "{" not in path and "get" in operations
        for parameter in operations["get"].get("parameters", [])
        if parameter["in"] == "query"
    ]


@pytest.mark.parametrize(("path", "parameter"), read_parameters())
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.lists(st.text(max_size=40), min_size=1, max_size=3))
def test_any_string_in_a_query_parameter_is_answered_without_a_server_error(
    seeded: FlaskClient, path: str, parameter: str, values: list[str]
) -> None:
    response = seeded.get(path, query_string=[(parameter, value) for value in values])
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
