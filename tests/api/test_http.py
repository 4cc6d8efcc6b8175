"""HTTP around the JSON: ETags and 304s, CORS, CSV, HEAD."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ids
from timeline_api.app import create_app

ORIGIN = "https://timeline.example"
CSV_COLUMNS = [
    "id",
    "title",
    "summary",
    "type",
    "importance",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "earliest",
    "latest",
    "is_approximate",
    "disputed",
    "date_note",
    "countries",
    "tags",
    "actors",
    "sources",
    "text",
    "links",
    "citations",
    "alternative_dates",
]


def first_id(client: FlaskClient, url: str) -> str:
    """The id of the first record a list gives."""
    response = client.get(url)
    assert response.status_code == 200
    first: str = response.json["data"][0]["id"]
    return first


@pytest.fixture
def urls(seeded: FlaskClient) -> dict[str, str]:
    """A URL for every kind of GET resource of the seeded API."""
    return {
        "events": "/v1/events",
        "filtered events": "/v1/events?from=2020&sort=-start&limit=3",
        "events as csv": "/v1/events?format=csv",
        "event": f"/v1/events/{first_id(seeded, '/v1/events')}",
        "actors": "/v1/actors",
        "actor": f"/v1/actors/{first_id(seeded, '/v1/actors')}",
        "actor's events": f"/v1/actors/{first_id(seeded, '/v1/actors')}/events",
        "sources": "/v1/sources",
        "tags": "/v1/tags",
        "event types": "/v1/event-types",
        "countries": "/v1/countries",
        "series list": "/v1/series",
        "series": f"/v1/series/{first_id(seeded, '/v1/series')}",
    }


def test_every_get_has_an_etag_and_answers_304_when_it_still_matches(
    seeded: FlaskClient, urls: dict[str, str]
) -> None:
    found = {}
    for resource, url in urls.items():
        response = seeded.get(url)
        etag = response.headers.get("ETag", "")
        cached = seeded.get(url, headers={"If-None-Match": etag})
        found[resource] = {
            "status": response.status_code,
            "etag": etag.startswith(('"', 'W/"')),
            "stable": seeded.get(url).headers.get("ETag") == etag,
            "cached": cached.status_code,
            "cached body": cached.data,
            "cached etag": cached.headers.get("ETag") == etag,
        }
    expected = {
        "status": 200,
        "etag": True,
        "stable": True,
        "cached": 304,
        "cached body": b"",
        "cached etag": True,
    }
    assert found == dict.fromkeys(urls, expected)


def test_a_stale_etag_gets_the_full_answer(seeded: FlaskClient, urls: dict[str, str]) -> None:
    for resource in ("events", "event", "series"):
        response = seeded.get(urls[resource], headers={"If-None-Match": '"not-the-current-one"'})
        assert response.status_code == 200, resource
        assert response.json, resource


def test_a_different_query_has_a_different_etag(seeded: FlaskClient) -> None:
    for one, other in [
        ("/v1/events?from=2020", "/v1/events?from=2021"),
        ("/v1/events?limit=1", "/v1/events?limit=2"),
        ("/v1/events?sort=start", "/v1/events?sort=-start"),
        ("/v1/events", "/v1/events?format=csv"),
        ("/v1/actors?limit=1", "/v1/actors?limit=2"),
    ]:
        first, second = seeded.get(one), seeded.get(other)
        assert first.status_code == second.status_code == 200, (one, other)
        assert first.headers["ETag"] != second.headers["ETag"], (one, other)
        cross = seeded.get(other, headers={"If-None-Match": first.headers["ETag"]})
        assert cross.status_code == 200, (one, other)


def test_a_changed_timeline_has_a_new_etag(
    client: FlaskClient, add_event: Callable[..., None]
) -> None:
    add_event("first", "2020")
    before = client.get("/v1/events")
    add_event("second", "2021")

    after = client.get("/v1/events", headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200
    assert ids(after) == ["first", "second"]
    assert after.headers["ETag"] != before.headers["ETag"]


def test_an_error_has_no_etag(client: FlaskClient) -> None:
    assert "ETag" not in client.get("/v1/events/nothing-here").headers
    assert "ETag" not in client.get("/v1/events?from=2024-13").headers


def test_a_get_from_another_origin_is_allowed_and_sees_the_paging_headers(
    client: FlaskClient,
) -> None:
    for url in ["/v1/events", "/v1/actors", "/v1/series", "/v1/events/nothing"]:
        response = client.get(url, headers={"Origin": ORIGIN})
        assert response.headers["Access-Control-Allow-Origin"] in ("*", ORIGIN), url
        exposed = response.headers["Access-Control-Expose-Headers"]
        assert {"etag", "link", "x-total-count"} <= names(exposed), url


def test_a_preflight_allows_reading_from_another_origin(client: FlaskClient) -> None:
    for url in ["/v1/events", "/v1/events/some-event", "/v1/actors"]:
        response = client.options(
            url,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "If-None-Match",
            },
        )
        assert response.status_code in (200, 204), url
        assert response.headers["Access-Control-Allow-Origin"] in ("*", ORIGIN), url
        assert {"get", "head"} <= names(response.headers["Access-Control-Allow-Methods"]), url
        allowed_headers = names(response.headers.get("Access-Control-Allow-Headers", ""))
        assert "if-none-match" in allowed_headers or "*" in allowed_headers, url


def test_a_preflight_allows_an_editing_app_to_write_with_a_token(client: FlaskClient) -> None:
    response = client.options(
        "/v1/events/some-event",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, If-Match, Content-Type",
        },
    )
    assert {"patch", "put", "post", "delete"} <= names(
        response.headers["Access-Control-Allow-Methods"]
    )
    assert {"authorization", "if-match", "content-type"} <= names(
        response.headers["Access-Control-Allow-Headers"]
    )


def test_only_the_configured_origins_may_read_from_a_browser(app: Flask) -> None:
    configured = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "CORS_ORIGINS": ("https://newsroom.example",)}
    )
    client = configured.test_client()
    allowed = client.get("/v1/events", headers={"Origin": "https://newsroom.example"})
    refused = client.get("/v1/events", headers={"Origin": "https://elsewhere.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://newsroom.example"
    assert "Access-Control-Allow-Origin" not in refused.headers
    configured.extensions["db_engine"].dispose()


def names(header: str) -> set[str]:
    """The lower-cased names of a comma-separated header."""
    return {name.strip().lower() for name in header.split(",") if name.strip()}


@pytest.fixture
def dated(add_events: Callable[..., None]) -> None:
    """Events with partial dates, lists and a title a spreadsheet would run as a formula."""
    add_events(
        {
            "id": "long-ring",
            "start": "2002",
            "end": "2024",
            "title": "Spy ring, long-running",
            "tags": ["red", "blue"],
            "countries": ["TW", "CN"],
            "actors": [
                {"actor": "agency-a", "role": "accuser"},
                {"actor": "agency-b", "role": "accused"},
            ],
        },
        {
            "id": "formula",
            "start": "2025-06",
            "title": '=HYPERLINK("http://evil.example","click")',
            "summary": "+1 minus -1 at @home",
            "tags": ["red"],
            "is_approximate": True,
            "alternative_dates": [
                {"start": "2025-05", "source": "test-source", "note": "One report."}
            ],
        },
        {"id": "the-day", "start": "2025-06-05", "title": "A single day", "tags": ["blue"]},
    )


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == CSV_COLUMNS
    return list(reader)


@pytest.mark.usefixtures("dated")
def test_csv_is_given_for_format_csv_or_an_accept_preferring_it(client: FlaskClient) -> None:
    # (query, Accept) → the type answered
    expected = {
        ("format=csv", None): "text/csv",
        ("", "text/csv"): "text/csv",
        ("", "text/csv, application/json;q=0.5"): "text/csv",
        ("format=csv", "application/json"): "text/csv",
        ("", None): "application/json",
        ("", "application/json"): "application/json",
        ("", "*/*"): "application/json",
        ("", "application/json, text/csv;q=0.5"): "application/json",
        ("format=json", "text/csv"): "application/json",
    }
    responses = {
        (query, accept): client.get(
            f"/v1/events?{query}", headers={"Accept": accept} if accept else {}
        )
        for query, accept in expected
    }
    assert {asked: response.mimetype for asked, response in responses.items()} == expected
    for asked, response in responses.items():
        assert response.status_code == 200, asked
        assert response.headers["X-Total-Count"] == "3", asked
        assert "Accept" in response.headers["Vary"], asked
        if response.mimetype == "text/csv":
            listed = [row["id"] for row in rows(response.get_data(as_text=True))]
        else:
            listed = ids(response)
        assert listed == ["long-ring", "formula", "the-day"], asked


@pytest.mark.usefixtures("dated")
def test_csv_lists_the_same_events_as_json(client: FlaskClient) -> None:
    for query in ["tag=red", "tag=blue&from=2025", "to=2024", "disputed=true", "sort=-start"]:
        as_json = client.get(f"/v1/events?{query}")
        as_csv = client.get(f"/v1/events?{query}&format=csv")
        assert [row["id"] for row in rows(as_csv.get_data(as_text=True))] == ids(as_json), query
        assert as_csv.headers["X-Total-Count"] == as_json.headers["X-Total-Count"], query


@pytest.mark.usefixtures("dated")
def test_csv_pages_like_json_and_its_next_page_is_csv_too(client: FlaskClient) -> None:
    first = client.get("/v1/events?format=csv&limit=2")
    assert [row["id"] for row in rows(first.get_data(as_text=True))] == ["long-ring", "formula"]
    assert first.headers["X-Total-Count"] == "3"
    match = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["Link"])
    assert match is not None
    second = client.get(match[1])
    assert second.mimetype == "text/csv"
    assert [row["id"] for row in rows(second.get_data(as_text=True))] == ["the-day"]
    assert "Link" not in second.headers


@pytest.mark.usefixtures("dated")
def test_csv_values_are_as_entered(client: FlaskClient) -> None:
    by_id = {
        row["id"]: row for row in rows(client.get("/v1/events?format=csv").get_data(as_text=True))
    }
    assert by_id["long-ring"] == {
        **by_id["long-ring"],
        "title": "Spy ring, long-running",
        "start": "2002",
        "start_precision": "year",
        "end": "2024",
        "end_precision": "year",
        "earliest": "2002-01-01",
        "latest": "2024-12-31",
        "importance": "3",
        "type": "test-type",
        "is_approximate": "false",
        "disputed": "false",
        "countries": "CN;TW",
        "tags": "blue;red",
        "actors": "agency-a:accuser;agency-b:accused",
        "sources": "test-source",  # each row says where it comes from
    }
    assert by_id["formula"]["start"] == "2025-06"
    assert by_id["formula"]["start_precision"] == "month"
    assert by_id["formula"]["end"] == ""
    assert by_id["formula"]["latest"] == "2025-06-30"
    assert by_id["formula"]["is_approximate"] == "true"
    assert by_id["formula"]["disputed"] == "true"
    assert by_id["the-day"]["start"] == "2025-06-05"


@pytest.mark.usefixtures("dated")
def test_csv_cells_cannot_run_as_spreadsheet_formulas(client: FlaskClient) -> None:
    for row in rows(client.get("/v1/events?format=csv").get_data(as_text=True)):
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    formula = next(
        row
        for row in rows(client.get("/v1/events?format=csv").get_data(as_text=True))
        if row["id"] == "formula"
    )
    assert formula["title"].endswith('=HYPERLINK("http://evil.example","click")')
    assert formula["summary"].endswith("+1 minus -1 at @home")


@pytest.mark.usefixtures("dated")
def test_head_gives_the_headers_of_get_without_a_body(client: FlaskClient) -> None:
    for url in ["/v1/events", "/v1/events?format=csv&limit=1", "/v1/events/long-ring"]:
        got = client.get(url)
        head = client.head(url)
        assert head.status_code == 200, url
        assert head.data == b"", url
        for name in ("Content-Type", "ETag", "X-Total-Count", "Link", "Content-Length"):
            assert head.headers.get(name) == got.headers.get(name), (url, name)
        assert client.head(url, headers={"If-None-Match": got.headers["ETag"]}).status_code == 304


def test_head_of_something_missing_is_a_404(client: FlaskClient) -> None:
    response = client.head("/v1/events/nothing-here")
    assert response.status_code == 404
    assert response.data == b""


@pytest.mark.parametrize("path", ["/docs", "/v1/events", "/v1/events?format=csv", "/v1/nowhere"])
def test_browsers_are_told_not_to_guess_content_types(client: FlaskClient, path: str) -> None:
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/docs", "/timeline"])
def test_html_pages_allow_no_outside_origin(client: FlaskClient, path: str) -> None:
    """The pages' scripts, styles and requests come from this server only (the browser tests
    of /docs and /timeline show they still work under it)."""
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    given = response.headers["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in given.split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    sources = " ".join(policy.values())
    assert "*" not in sources and "http" not in sources and "//" not in sources


def test_api_answers_carry_no_page_policy(client: FlaskClient) -> None:
    assert "Content-Security-Policy" not in client.get("/v1/events?limit=1").headers
