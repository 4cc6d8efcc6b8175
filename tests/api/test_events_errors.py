"""Every error path of the read API answers in one shape: RFC 9457 application/problem+json."""

from __future__ import annotations

from http import HTTPStatus
from pprint import pformat
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

# Request → (status, the parameter `errors` names, or None when it has no `errors`), by kind.
ERROR_PATHS: dict[str, dict[str, tuple[int, str | None]]] = {
    # Dates that are not YYYY, YYYY-MM or YYYY-MM-DD.
    "malformed-dates": {
        "/v1/events?from=2024/01/01": (400, "from"),
        "/v1/events?from=24": (400, "from"),
        "/v1/events?from=2024-1": (400, "from"),
        "/v1/events?from=2024-01-01T25:00": (400, "from"),  # date-times are fine; this one isn't
        "/v1/events?from=2024-01T00:00": (400, "from"),
        "/v1/events?from=yesterday": (400, "from"),
        "/v1/events?from=": (400, "from"),
        "/v1/events?to=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94": (400, "to"),  # fullwidth 2024
    },
    # Dates of that form that no calendar has.
    "impossible-dates": {
        "/v1/events?from=2023-02-30": (400, "from"),
        "/v1/events?from=2024-13": (400, "from"),
        "/v1/events?to=2024-00": (400, "to"),
        "/v1/events?to=2024-04-31": (400, "to"),
        "/v1/events?from=2024-06-00": (400, "from"),
        "/v1/events?from=0000": (400, "from"),
    },
    # A range that ends before it starts.
    "reversed-range": {
        "/v1/events?from=2024&to=2022": (400, "from"),
        "/v1/events?from=2024-06-05&to=2024-06-04": (400, "from"),
    },
    # Page size.
    "page-size": {
        "/v1/events?limit=0": (400, "limit"),
        "/v1/events?limit=501": (400, "limit"),
        "/v1/events?limit=abc": (400, "limit"),
        "/v1/events?limit=-5": (400, "limit"),
        "/v1/actors?limit=0": (400, "limit"),
    },
    # Parameters the endpoint does not have: a typo is not silently ignored.
    "unknown-parameters": {
        "/v1/events?color=red": (400, "color"),
        "/v1/events?form=2020": (400, "form"),
        "/v1/actors?from=2020": (400, "from"),
    },
    # Sort, format, search and cursor.
    "sort-format-search-cursor": {
        "/v1/events?sort=date": (400, "sort"),
        "/v1/events?sort=relevance": (400, "sort"),
        "/v1/events?format=xml": (400, "format"),
        "/v1/events?q=": (400, "q"),
        "/v1/events?q=" + "x" * 201: (400, "q"),
        "/v1/events?q=%3F%21": (400, "q"),
        "/v1/events?disputed=maybe": (400, "disputed"),
        "/v1/events?cursor=garbage": (400, "cursor"),
    },
    # Ids: malformed, or naming nothing.
    "ids": {
        "/v1/events?country=TWN": (400, "country"),
        "/v1/events?country=TW,XYZ": (400, "country"),
        "/v1/events?type=Not_A_Slug": (400, "type"),
        "/v1/events?actor=-icefcom": (400, "actor"),
        "/v1/events?type=no-such-type": (400, "type"),
        "/v1/events?actor=no-such-actor": (400, "actor"),
        "/v1/events?tag=no-such-tag": (400, "tag"),
        "/v1/actors/icefcom/events?tag=no-such-tag": (400, "tag"),
    },
    # Bad input still answers with a problem when CSV was asked for.
    "csv-asked-for": {
        "/v1/events?format=csv&from=2024-13": (400, "from"),
    },
    # Nothing there.
    "not-found": {
        "/v1/events/no-such-event": (404, None),
        "/v1/actors/no-such-actor": (404, None),
        "/v1/actors/no-such-actor/events": (404, None),
        "/v1/series/no-such-series": (404, None),
        "/v1/no-such-resource": (404, None),
        "/v1": (404, None),
    },
    # Methods a resource does not have (the Allow header lists those it has).
    "method-not-allowed": {
        "PUT /v1/events": (405, None),
        "DELETE /v1/events": (405, None),
        "POST /v1/events/an-event": (405, None),
        "POST /v1/countries": (405, None),
    },
}


def problem_shape(response: TestResponse, method: str) -> dict[str, Any]:
    """What a client relies on in an error answer, as comparable values."""
    problem = response.get_json(silent=True) or {}
    detail = problem.get("detail")
    errors = problem.get("errors")
    shape = {
        "status": response.status_code,
        "content type": response.mimetype,
        "type": problem.get("type"),
        "title": problem.get("title"),
        "body status": problem.get("status"),
        "detail is text": isinstance(detail, str) and bool(detail),
        "detail hides internals": not any(
            word in str(detail) for word in ("Traceback", "SELECT", "sqlalchemy", "psycopg")
        ),
        "parameters": None if errors is None else [error.get("parameter") for error in errors],
        "each error says why": all(
            isinstance(error.get("detail"), str) and error["detail"] for error in errors or []
        ),
        "detail names each parameter": all(
            str(error.get("parameter")) in str(detail) for error in errors or []
        ),
    }
    if response.status_code == 405:
        allowed = {name.strip() for name in response.headers.get("Allow", "").split(",")}
        shape["allow lists GET and HEAD, not the method"] = {
            "GET",
            "HEAD",
        } <= allowed and method not in allowed
    return shape


def expected_shape(status: int, parameter: str | None) -> dict[str, Any]:
    shape = {
        "status": status,
        "content type": "application/problem+json",
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "body status": status,
        "detail is text": True,
        "detail hides internals": True,
        "parameters": None if parameter is None else [parameter],
        "each error says why": True,
        "detail names each parameter": True,
    }
    if status == 405:
        shape["allow lists GET and HEAD, not the method"] = True
    return shape


@pytest.mark.parametrize("kind", ERROR_PATHS)
def test_every_error_is_a_problem_naming_what_is_wrong(seeded: FlaskClient, kind: str) -> None:
    wrong = {}
    for request, (status, parameter) in ERROR_PATHS[kind].items():
        method, _, url = request.rpartition(" ")
        found = problem_shape(seeded.open(url, method=method or "GET"), method or "GET")
        expected = expected_shape(status, parameter)
        if found != expected:
            wrong[request] = {
                name: f"got {found.get(name)!r}, expected {value!r}"
                for name, value in expected.items()
                if found.get(name) != value
            }
    assert not wrong, pformat(wrong, width=100)


def test_the_detail_quotes_what_was_asked_for(client: FlaskClient) -> None:
    for url, named in [
        ("/v1/events/no-such-event", "no-such-event"),
        ("/v1/actors/no-such-actor", "no-such-actor"),
        ("/v1/no-such-resource", "/v1/no-such-resource"),
        ("/v1/events?from=2024-13", "2024-13"),
        ("/v1/events?tag=no-such-tag", "no-such-tag"),
    ]:
        assert named in client.get(url).json["detail"], url


def test_every_fault_of_a_request_is_listed(client: FlaskClient) -> None:
    response = client.get("/v1/events?from=2024-13&limit=0&sort=date")
    assert response.status_code == 400
    assert sorted(error["parameter"] for error in response.json["errors"]) == [
        "from",
        "limit",
        "sort",
    ]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/events?type=", "type"),
        ("/v1/events?tag=cyber,", "tag"),
        ("/v1/actors?kind=", "kind"),
        ("/v1/stats/events?by=month&country=&country=", "country"),
    ],
)
def test_an_empty_filter_value_is_refused_naming_the_parameter(
    client: FlaskClient, path: str, parameter: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["parameter"] == parameter
