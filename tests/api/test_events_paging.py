"""Paging GET /v1/events by cursor: every event exactly once, in order; bad cursors are 400s."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import ids

# Spans from a small pool, so that many events tie on their first day, their last day or both
# ("2020" and "2020-01-01".."2020-12-31" are the same span); importance and titles repeat too.
SPANS: list[tuple[str, str | None]] = [
    ("2020", None),
    ("2020-01", None),
    ("2020-01-01", None),
    ("2020-01-01", "2020-12-31"),
    ("2019", "2020"),
    ("2020-06-15", None),
    ("2021", None),
]
TITLES = ["Arrest", "Ruling", "Warning"]
EVENT_COUNT = 12
# Page sizes to walk: one event a page, a few, one short of all, exactly all.
LIMITS = [1, 5, 11, 12]


def many_events(count: int = EVENT_COUNT) -> list[dict[str, Any]]:
    """Events in insertion order, which is also the order of their internal ids."""
    return [
        {
            "id": f"event-{number:02d}",
            "start": SPANS[number % len(SPANS)][0],
            **({"end": end} if (end := SPANS[number % len(SPANS)][1]) else {}),
            "importance": 1 + number % 5,
            "title": TITLES[number % len(TITLES)],
            "tags": ["red"] if number % 2 else ["blue"] if number % 3 else [],
        }
        for number in range(count)
    ]


def expected_order(records: list[dict[str, Any]], sort: str) -> list[str]:
    """The documented order, ties last broken by insertion (the internal id)."""
    position = {record["id"]: index for index, record in enumerate(records)}

    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        first, last, at = record["earliest"], record["latest"], position[record["id"]]
        return {
            "start": (first, last, at),
            "end": (last, first, at),
            "importance": (record["importance"], first, at),
            "-importance": (-record["importance"], first, at),
            "title": (record["title"], at),
        }[sort.removeprefix("-") if sort != "-importance" else sort]

    ordered = sorted(records, key=key)
    if sort.startswith("-") and sort != "-importance":
        ordered.reverse()
    return [record["id"] for record in ordered]


def walk(client: FlaskClient, url: str, follow: str = "links") -> list[TestResponse]:
    """Every page from `url` on, following `links.next` or the Link header (which agree)."""
    pages = []
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url)
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response)
        assert len(pages) <= 2 * EVENT_COUNT + 2, "paging does not end"
        assert next_link(response) == response.json["links"]["next"]
        next_url = next_link(response) if follow == "header" else response.json["links"]["next"]
    return pages


def next_link(response: TestResponse) -> str | None:
    """The URL of the Link header's rel="next", if any."""
    header = response.headers.get("Link")
    if header is None:
        return None
    match = re.fullmatch(r'<([^>]+)>; rel="next"', header)
    assert match is not None, header
    return match[1]


SORTS = ["start", "-start", "end", "-end", "importance", "-importance", "title", "-title"]


@pytest.mark.parametrize("sort", SORTS)
def test_paging_to_the_end_gives_every_event_once_in_order(
    client: FlaskClient, add_events: Callable[..., None], sort: str
) -> None:
    events = many_events()
    add_events(*events)
    listed = {
        record["id"]: record
        for record in client.get("/v1/events", query_string={"limit": 500}).json["data"]
    }
    expected = expected_order([listed[event["id"]] for event in events], sort)

    walked: dict[int, list[str]] = {}
    for limit in LIMITS:
        follow = "header" if limit % 2 else "links"
        pages = walk(client, f"/v1/events?sort={sort}&limit={limit}", follow)
        walked[limit] = [event for page in pages for event in ids(page)]
        assert [len(ids(page)) for page in pages] == page_sizes(limit)
        assert {page.json["meta"]["total"] for page in pages} == {EVENT_COUNT}

    assert walked == dict.fromkeys(LIMITS, expected)


def page_sizes(limit: int) -> list[int]:
    full, rest = divmod(EVENT_COUNT, limit)
    return [limit] * full + ([rest] if rest else [])


def test_paging_keeps_the_filters(client: FlaskClient, add_events: Callable[..., None]) -> None:
    add_events(*many_events())
    for query in [
        "tag=red&tag=blue",
        "tag=red,blue&from=2020-02&to=2020-12",
        "type=test-type&disputed=false&to=2020-01-01",
        "from=2020-06-15&sort=-importance",
    ]:
        expected = ids(client.get(f"/v1/events?{query}&limit=500"))
        assert 3 < len(expected) < EVENT_COUNT, query

        pages = walk(client, f"/v1/events?{query}&limit=3")

        assert [event for page in pages for event in ids(page)] == expected, query
        assert {page.json["meta"]["total"] for page in pages} == {len(expected)}, query
        assert {page.headers["X-Total-Count"] for page in pages} == {str(len(expected))}, query


def test_meta_and_headers_describe_each_page(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*many_events(5))

    first = client.get("/v1/events?limit=2")
    assert first.json["meta"] == {
        "total": 5,
        "total_is_exact": True,
        "count": 2,
        "limit": 2,
        "sort": "start",
        "next_cursor": first.json["meta"]["next_cursor"],
    }
    cursor = first.json["meta"]["next_cursor"]
    assert isinstance(cursor, str) and cursor
    assert first.headers["X-Total-Count"] == "5"
    assert first.json["links"]["self"] == "http://localhost/v1/events?limit=2"
    assert first.json["links"]["next"] == f"http://localhost/v1/events?limit=2&cursor={cursor}"
    assert next_link(first) == first.json["links"]["next"]

    last = client.get(f"/v1/events?limit=2&cursor={cursor}")
    last = client.get(last.json["links"]["next"])
    assert last.json["meta"]["count"] == 1
    assert last.json["meta"]["total"] == 5
    assert last.json["meta"]["next_cursor"] is None
    assert last.json["links"]["next"] is None
    assert "Link" not in last.headers
    assert last.headers["X-Total-Count"] == "5"


def test_an_empty_list_is_one_empty_page(client: FlaskClient) -> None:
    response = client.get("/v1/events")
    assert response.json["data"] == []
    assert response.json["meta"] == {
        "total": 0,
        "total_is_exact": True,
        "count": 0,
        "limit": 50,
        "sort": "start",
        "next_cursor": None,
    }
    assert response.json["links"]["next"] is None
    assert response.headers["X-Total-Count"] == "0"
    assert "Link" not in response.headers


def test_pages_hold_50_events_unless_asked_for_up_to_500(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*many_events(51))
    response = client.get("/v1/events")
    assert len(ids(response)) == 50
    assert response.json["meta"]["limit"] == 50
    assert response.json["meta"]["total"] == 51
    rest = client.get(response.json["links"]["next"])
    assert rest.json["meta"]["count"] == 1
    assert rest.json["links"]["next"] is None

    found = {}
    for limit in (1, 50, 51, 499, 500):
        response = client.get("/v1/events", query_string={"limit": limit})
        found[limit] = (len(ids(response)), response.json["meta"]["limit"])
    assert found == {1: (1, 1), 50: (50, 50), 51: (51, 51), 499: (51, 499), 500: (51, 500)}


def test_a_cursor_made_for_another_sort_is_refused(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*many_events(5))
    for made_for, used_with in [
        ("start", "-start"),
        ("start", "end"),
        ("-importance", "importance"),
        ("title", "start"),
        ("end", "title"),
    ]:
        cursor = client.get(f"/v1/events?sort={made_for}&limit=2").json["meta"]["next_cursor"]
        response = client.get("/v1/events", query_string={"sort": used_with, "cursor": cursor})
        assert_problem(response, "cursor")
        assert made_for in response.json["errors"][0]["detail"]


def test_a_cursor_can_continue_with_another_page_size(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*many_events(5))
    cursor = client.get("/v1/events?limit=2").json["meta"]["next_cursor"]
    response = client.get("/v1/events", query_string={"cursor": cursor, "limit": 10})
    assert ids(response) == ids(client.get("/v1/events"))[2:]


def token(payload: Any) -> str:
    """A cursor as the API shapes them (URL-safe base64 of JSON), holding `payload`."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Cursors no page ever gave out, by how they are wrong: name → (sort, cursor).
FORGED: dict[str, dict[str, tuple[str, str]]] = {
    "not-base64-of-json": {
        "text": ("start", "not a cursor"),
        "symbols": ("start", "%%%%"),
        "too-long": ("start", "x" * 600),
        "not-utf8": ("start", token(b"\xff\xfe\xfd")),
        "truncated-json": ("start", token(b'["start",')),
    },
    "json-of-the-wrong-shape": {
        "object": ("start", token({})),
        "empty-list": ("start", token([])),
        "null": ("start", token(None)),
        "number": ("start", token(5)),
        "string": ("start", token("start")),
        "sort-without-key": ("start", token(["start"])),
        "key-too-short": ("start", token(["start", "2020-01-01", "2020-01-01"])),
        "key-too-long": ("start", token(["start", "2020-01-01", "2020-01-01", 1, 2])),
        "search-key-too-long": ("relevance", token(["relevance", 1, 2])),
    },
    "values-of-the-wrong-type": {
        "numbers-for-dates": ("start", token(["start", 1, 2, 3])),
        "nulls": ("start", token(["start", None, None, None])),
        "bad-date": ("start", token(["start", "2020-13-01", "2020-01-01", 1])),
        "string-id": ("start", token(["start", "2020-01-01", "2020-01-01", "1"])),
        "float-id": ("start", token(["start", "2020-01-01", "2020-01-01", 1.5])),
        "bool-id": ("start", token(["start", "2020-01-01", "2020-01-01", True])),
        "string-rank": ("importance", token(["importance", "3", "2020-01-01", 1])),
        "number-title": ("title", token(["title", 5, 1])),
        "string-offset": ("relevance", token(["relevance", "2"])),
    },
}


@pytest.mark.parametrize("kind", FORGED)
def test_a_forged_cursor_is_a_400_problem(client: FlaskClient, kind: str) -> None:
    wrong = {}
    for name, (sort, cursor) in FORGED[kind].items():
        query = {"sort": sort, "cursor": cursor, **({"q": "arrest"} if sort == "relevance" else {})}
        response = client.get("/v1/events", query_string=query)
        problem = response.get_json(silent=True) or {}
        found = (
            response.status_code,
            response.mimetype,
            [error.get("parameter") for error in problem.get("errors", [])],
        )
        if found != (400, "application/problem+json", ["cursor"]):
            wrong[name] = found
    assert not wrong, wrong


# Values of the right type that no page could have ended on: the database cannot hold them.
@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        pytest.param("start", token(["start", "2020-01-01", "2020-01-01", 10**30]), id="huge-id"),
        pytest.param("importance", token(["importance", 10**20, "2020-01-01", 1]), id="huge-rank"),
        pytest.param("title", token(["title", "nul \u0000 byte", 1]), id="nul-in-title"),
        pytest.param("relevance", token(["relevance", -1]), id="negative-search-offset"),
        pytest.param("relevance", token(["relevance", 10**30]), id="huge-search-offset"),
    ],
)
def test_a_cursor_out_of_any_range_is_a_400_problem_not_a_crash(
    client: FlaskClient, sort: str, cursor: str
) -> None:
    query = {"sort": sort, "cursor": cursor, **({"q": "arrest"} if sort == "relevance" else {})}
    response = client.get("/v1/events", query_string=query)
    assert_problem(response, "cursor")


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(token(["id", "nul \u0000 byte"]), id="nul-in-id"),
        pytest.param(token(["id", 5]), id="number-for-id"),
    ],
)
def test_a_forged_cursor_of_another_list_is_a_400_problem(client: FlaskClient, cursor: str) -> None:
    assert_problem(client.get("/v1/actors", query_string={"cursor": cursor}), "cursor")


def test_a_cursor_made_for_a_date_sort_is_refused_by_a_search(client: FlaskClient) -> None:
    cursor = token(["start", "2020-01-01", "2020-01-01", 1])
    query = {"q": "arrest", "sort": "relevance", "cursor": cursor}
    assert_problem(client.get("/v1/events", query_string=query), "cursor")


def assert_problem(response: TestResponse, parameter: str) -> None:
    """A 400 in the problem shape, naming `parameter` and only it."""
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["status"] == 400
    assert problem["title"] == "Bad Request"
    assert [error["parameter"] for error in problem["errors"]] == [parameter]
