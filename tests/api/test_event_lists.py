"""What a list carries for a page to render: includes, trimmed fields, zoom, date-times, all-of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.conftest import ids

CITED = [{"source": "test-source", "quote": "It happened.", "note": "test"}]


@pytest.fixture
def linked(add_events: Callable[..., None]) -> None:
    add_events(
        {"id": "first", "start": "2020", "citations": CITED},
        {"id": "second", "start": "2021-03", "links": [{"to": "first", "kind": "follows"}]},
        *({"id": f"more-{n}", "start": f"2022-0{n}"} for n in range(1, 6)),
    )


def selects(app: Flask, client: FlaskClient, url: str) -> tuple[Any, int]:
    """The response to `url`, and how many SELECTs answering it took."""
    counted: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            counted.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response, len(counted)


@pytest.mark.usefixtures("linked")
def test_a_page_carries_citations_and_links_both_ways(client: FlaskClient) -> None:
    response = client.get("/v1/events?include=citations,links&to=2021")
    first, second = response.json["data"]
    assert first["citations"][0]["quote"] == "It happened."
    assert first["citations"][0]["source"]["id"] == "test-source"
    assert first["links"] == [
        {
            "kind": "follows",
            "direction": "incoming",
            "event": {"id": "second", "title": "Event second", "start": "2021-03", "end": None},
        }
    ]
    assert second["links"][0]["direction"] == "outgoing"
    assert second["links"][0]["event"]["id"] == "first"


@pytest.mark.usefixtures("linked")
def test_included_items_match_the_detail(client: FlaskClient) -> None:
    listed = client.get("/v1/events?include=citations,links&to=2020").json["data"][0]
    detail = client.get("/v1/events/first").json
    assert listed["citations"] == detail["citations"]
    assert listed["links"] == detail["links"]


@pytest.mark.usefixtures("linked")
def test_includes_cost_the_same_queries_for_two_events_or_seven(
    app: Flask, client: FlaskClient
) -> None:
    _, two = selects(app, client, "/v1/events?include=citations,links&limit=2")
    _, seven = selects(app, client, "/v1/events?include=citations,links&limit=7")
    _, plain = selects(app, client, "/v1/events?limit=7")
    assert two == seven
    assert seven == plain + 3  # citations, outgoing links, incoming links


@pytest.mark.usefixtures("linked")
def test_without_include_a_list_stays_as_it_was(client: FlaskClient) -> None:
    item = client.get("/v1/events?limit=1").json["data"][0]
    assert "citations" not in item
    assert "links" not in item


@pytest.mark.usefixtures("linked")
def test_fields_trim_each_event_and_keep_its_id(client: FlaskClient) -> None:
    response = client.get("/v1/events?fields=title,start&limit=2")
    assert response.json["data"] == [
        {"id": "first", "title": "Event first", "start": "2020"},
        {"id": "second", "title": "Event second", "start": "2021-03"},
    ]
    with_links = client.get("/v1/events?include=links&fields=links&limit=1").json["data"]
    assert list(with_links[0]) == ["id", "links"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("include=sources", "include"),
        ("fields=secret", "fields"),
        ("fields=citations", "fields"),  # asks for what was not included
        ("min_importance=6", "min_importance"),
        ("min_importance=high", "min_importance"),
        ("country_all=Taiwan", "country_all"),
        ("actor_all=nobody-known", "actor_all"),
        ("tag_all=nothing-known", "tag_all"),
        ("from=2024-01-01T00:00:00[Mars/Olympus]", "from"),
        ("to=2024-13-01T00:00:00Z", "to"),
        ("to=2024-12-01T24:30:00Z", "to"),
        ("to=2024-12-01T10:00:00+25:00", "to"),
    ],
)
def test_bad_list_options_name_the_parameter(
    client: FlaskClient, query: str, parameter: str
) -> None:
    response = client.get(f"/v1/events?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["parameter"] == parameter


def test_an_unknown_zone_is_refused_by_its_name(client: FlaskClient) -> None:
    response = client.get("/v1/events?from=2024-01-01T00:00:00[Mars/Olympus]")
    assert "Mars/Olympus" in response.json["errors"][0]["detail"]


def test_min_importance_keeps_the_bigger_events(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(
        {"id": "minor", "start": "2024", "importance": 1},
        {"id": "major", "start": "2024", "importance": 5},
        {"id": "notable", "start": "2024-02", "importance": 4},
    )
    assert ids(client.get("/v1/events?min_importance=4")) == ["major", "notable"]
    assert client.get("/v1/events?min_importance=4").json["meta"]["total"] == 2
    assert ids(client.get("/v1/events?min_importance=5&from=2024&to=2024")) == ["major"]
    counted = client.get("/v1/stats/events?by=type&min_importance=4").json["data"]
    assert counted[0]["count"] == 2


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-01T00:00:00.000Z",  # what a date picker's toISOString() sends
        "2024-03-01T23:30:00-05:00",  # the day where the user is, not UTC's 2 March
        "2024-03-01T08:00:00+08:00[Asia/Taipei]",
        "2024-03-01T12:00",
    ],
)
def test_date_times_filter_by_their_date_as_written(
    client: FlaskClient, add_events: Callable[..., None], value: str
) -> None:
    add_events(
        {"id": "february", "start": "2024-02-29"},
        {"id": "march-first", "start": "2024-03-01"},
        {"id": "march-second", "start": "2024-03-02"},
    )
    assert ids(client.get("/v1/events", query_string={"from": value, "to": value})) == [
        "march-first"
    ]


@pytest.fixture
def places(add_events: Callable[..., None]) -> None:
    add_events(
        {"id": "both", "start": "2024-01", "countries": ["TW", "CN"], "tags": ["red", "blue"]},
        {"id": "taiwan", "start": "2024-02", "countries": ["TW"], "tags": ["red"]},
        {"id": "china", "start": "2024-03", "countries": ["CN"], "tags": ["blue"]},
        {
            "id": "agencies",
            "start": "2024-04",
            "actors": [
                {"actor": "agency-a", "role": "accuser"},
                {"actor": "agency-b", "role": "target"},
            ],
        },
        {"id": "agency", "start": "2024-05", "actors": [{"actor": "agency-a", "role": "accuser"}]},
    )


@pytest.mark.usefixtures("places")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=TW,CN", ["both", "taiwan", "china"]),  # any of them
        ("country_all=TW,CN", ["both"]),  # all of them
        ("country_all=TW&country_all=cn", ["both"]),
        ("country_all=TW", ["both", "taiwan"]),
        ("tag_all=red,blue", ["both"]),
        ("tag_all=red,blue&country=CN", ["both"]),
        ("actor_all=agency-a,agency-b", ["agencies"]),
        ("actor_all=agency-a", ["agencies", "agency"]),
        ("country_all=TW,CN&from=2024-02", []),
    ],
)
def test_all_of_filters_need_every_value(
    client: FlaskClient, query: str, expected: list[str]
) -> None:
    response = client.get(f"/v1/events?{query}")
    assert ids(response) == expected
    assert response.json["meta"]["total"] == len(expected)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/events/tw-four-soldiers-sentenced-2025",
        "/v1/actors/icefcom",
        "/v1/sources/intelnews-taiwan-soldiers-jailed-2025",
        "/v1/tags/cyber",
        "/v1/event-types/court-ruling",
        "/v1/countries",
    ],
)
def test_reads_refuse_unknown_parameters_everywhere(seeded: FlaskClient, path: str) -> None:
    assert seeded.get(path).status_code == 200
    response = seeded.get(f"{path}?include=citations")
    assert response.status_code == 400
    assert response.json["errors"][0]["parameter"] == "include"
