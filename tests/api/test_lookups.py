"""Actors, sources, tags, event types, countries and series: lists, details and 404s."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import ids

PAGED_LISTS = ["/v1/actors", "/v1/sources", "/v1/tags", "/v1/event-types"]


def everything(client: FlaskClient, path: str, **query: Any) -> list[dict[str, Any]]:
    """Every item of a paged list, in one request."""
    response = client.get(path, query_string={"limit": 500, **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    items: list[dict[str, Any]] = response.json["data"]
    assert response.json["meta"]["next_cursor"] is None
    return items


def walk(client: FlaskClient, path: str, limit: int, **query: Any) -> list[list[str]]:
    """The ids of each page, following `links.next` until it is null."""
    pages = []
    response = client.get(path, query_string={"limit": limit, **query})
    while True:
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.json
        pages.append([item["id"] for item in body["data"]])
        if body["links"]["next"] is None:
            assert body["meta"]["next_cursor"] is None
            assert "Link" not in response.headers
            return pages
        assert response.headers["Link"] == f'<{body["links"]["next"]}>; rel="next"'
        response = client.get(body["links"]["next"])


def assert_not_found(response: Any, id: str) -> None:
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["type"] == "about:blank"
    assert problem["title"] == "Not Found"
    assert problem["status"] == 404
    assert id in problem["detail"]


# --- Actors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("military_unit", "icefcom"),
        ("state", "taiwan"),
        ("agency", "tw-mac"),
        ("person", "nick-eftimiades"),
        ("company", None),
    ],
)
def test_actors_filtered_by_kind_are_all_of_that_kind(
    seeded: FlaskClient, kind: str, expected: str | None
) -> None:
    actors = everything(seeded, "/v1/actors", kind=kind)
    assert {actor["kind"] for actor in actors} <= {kind}
    if expected is not None:
        assert expected in [actor["id"] for actor in actors]


def test_actors_filtered_by_several_kinds_match_any_of_them(seeded: FlaskClient) -> None:
    states = everything(seeded, "/v1/actors", kind="state")
    agencies = everything(seeded, "/v1/actors", kind="agency")
    either = everything(seeded, "/v1/actors", kind="state,agency")
    assert sorted(actor["id"] for actor in either) == sorted(
        actor["id"] for actor in states + agencies
    )
    repeated = seeded.get("/v1/actors?kind=state&kind=agency&limit=500")
    assert ids(repeated) == [actor["id"] for actor in either]


@pytest.mark.parametrize(("country", "expected"), [("TW", "tw-mac"), ("CZ", "cz-mfa")])
def test_actors_filtered_by_country_belong_to_it(
    seeded: FlaskClient, country: str, expected: str
) -> None:
    actors = everything(seeded, "/v1/actors", country=country)
    assert {actor["country"] for actor in actors} == {country}
    assert expected in [actor["id"] for actor in actors]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Mainland Affairs", "tw-mac"),  # in the name
        ("ISEFCOM", "icefcom"),  # only in an alias: the transcript's spelling
        ("kremlin", "russia"),  # an alias, case-insensitively
        ("czechia", "czech-republic"),
    ],
)
def test_actor_search_reads_names_and_aliases(seeded: FlaskClient, q: str, expected: str) -> None:
    actors = everything(seeded, "/v1/actors", q=q)
    assert expected in [actor["id"] for actor in actors]
    for actor in actors:
        names = [actor["name"], *actor["aliases"]]
        assert any(q.lower() in name.lower() for name in names), actor


def test_actor_search_without_a_match_is_an_empty_page(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/actors", query_string={"q": "no actor is called this"})
    assert ids(response) == []
    assert response.json["meta"]["total"] == 0
    assert response.json["links"]["next"] is None


def test_actor_filters_combine(seeded: FlaskClient) -> None:
    actors = everything(seeded, "/v1/actors", kind="agency", country="TW", q="council")
    assert [actor["id"] for actor in actors] == ["tw-mac"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"kind": "spy"}, "kind"),
        ({"country": "Taiwan"}, "country"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"sort": "name"}, "sort"),
    ],
)
def test_bad_actor_list_parameters_are_named(
    seeded: FlaskClient, query: dict[str, Any], parameter: str
) -> None:
    response = seeded.get("/v1/actors", query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [error["parameter"] for error in response.json["errors"]] == [parameter]


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_lists_are_in_id_order_and_page_to_the_end(seeded: FlaskClient, path: str) -> None:
    whole = [item["id"] for item in everything(seeded, path)]
    assert whole == sorted(whole)
    pages = walk(seeded, path, limit=7)
    assert [id for page in pages for id in page] == whole
    assert all(len(page) == 7 for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= 7
    total = seeded.get(path, query_string={"limit": 7}).json["meta"]["total"]
    assert total == len(whole)


def test_filtered_actors_page_to_the_end_keeping_the_filter(seeded: FlaskClient) -> None:
    states = [actor["id"] for actor in everything(seeded, "/v1/actors", kind="state")]
    pages = walk(seeded, "/v1/actors", limit=2, kind="state")
    assert len(pages) > 1
    assert [id for page in pages for id in page] == states


def test_actor_detail_counts_the_events_naming_it(seeded: FlaskClient) -> None:
    actor = seeded.get("/v1/actors/icefcom")
    assert actor.status_code == 200
    body = actor.json
    assert body["id"] == "icefcom"
    assert body["kind"] == "military_unit"
    assert body["country"] == "TW"
    assert "ISEFCOM" in body["aliases"]
    events = seeded.get("/v1/actors/icefcom/events", query_string={"limit": 500})
    assert body["event_count"] == events.json["meta"]["total"] == len(ids(events)) > 0


def test_actor_detail_matches_its_list_entry(seeded: FlaskClient) -> None:
    for listed in everything(seeded, "/v1/actors"):
        detail = seeded.get(f"/v1/actors/{listed['id']}").json
        assert {key: detail[key] for key in listed} == listed


def test_actor_events_name_the_actor(seeded: FlaskClient) -> None:
    for event_id in ids(seeded.get("/v1/actors/tw-mac/events")):
        event = seeded.get(f"/v1/events/{event_id}").json
        assert "tw-mac" in [actor["id"] for actor in event["actors"]]


def test_actor_events_take_the_event_filters(seeded: FlaskClient) -> None:
    all_events = seeded.get("/v1/actors/icefcom/events", query_string={"limit": 500}).json
    in_2024 = seeded.get("/v1/actors/icefcom/events", query_string={"from": "2024", "to": "2024"})
    expected = [
        event["id"]
        for event in all_events["data"]
        if event["earliest"] <= "2024-12-31" and event["latest"] >= "2024-01-01"
    ]
    assert ids(in_2024) == expected
    assert 0 < len(expected) < len(all_events["data"])


def test_actor_events_page_to_the_end(seeded: FlaskClient) -> None:
    whole = ids(seeded.get("/v1/actors/icefcom/events", query_string={"limit": 500}))
    pages = walk(seeded, "/v1/actors/icefcom/events", limit=3)
    assert [id for page in pages for id in page] == whole


def test_every_actor_counts_the_events_its_events_list_holds(seeded: FlaskClient) -> None:
    for actor in everything(seeded, "/v1/actors"):
        detail = seeded.get(f"/v1/actors/{actor['id']}").json
        events = seeded.get(f"/v1/actors/{actor['id']}/events")
        assert events.json["meta"]["total"] == detail["event_count"], actor["id"]


# --- Sources ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["intelNews", "fitsanakis", "Taipei Times"])
def test_source_search_reads_title_publisher_and_author(seeded: FlaskClient, q: str) -> None:
    sources = everything(seeded, "/v1/sources", q=q)
    assert sources
    for source in sources:
        fields = [source["title"], source["publisher"], source["author"] or ""]
        assert any(q.lower() in field.lower() for field in fields), source


def test_source_detail_counts_the_events_citing_it(seeded: FlaskClient) -> None:
    events = [
        seeded.get(f"/v1/events/{id}").json
        for id in ids(seeded.get("/v1/events", query_string={"limit": 500}))
    ]
    for source in everything(seeded, "/v1/sources"):
        response = seeded.get(f"/v1/sources/{source['id']}")
        assert response.status_code == 200
        detail = response.json
        assert {key: detail[key] for key in source} == source
        citing = [
            event["id"]
            for event in events
            if source["id"] in [citation["source"]["id"] for citation in event["citations"]]
        ]
        assert detail["event_count"] == len(citing), source["id"]


def test_source_with_a_stored_document_names_it(seeded: FlaskClient) -> None:
    source = seeded.get("/v1/sources/intelnews-taiwan-soldiers-jailed-2025").json
    assert source["document"].endswith(".txt")
    assert source["published"] == "2025-03-31"
    assert source["published_precision"] == "day"


# --- Tags and event types ----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "parameter"), [("/v1/tags", "tag"), ("/v1/event-types", "type")])
def test_tag_and_type_details_count_their_events(
    seeded: FlaskClient, path: str, parameter: str
) -> None:
    for listed in everything(seeded, path):
        response = seeded.get(f"{path}/{listed['id']}")
        assert response.status_code == 200
        detail = response.json
        assert {key: detail[key] for key in listed} == listed
        events = seeded.get("/v1/events", query_string={parameter: listed["id"], "limit": 500})
        assert detail["event_count"] == len(ids(events)), listed["id"]


def test_seeded_types_and_tags_include_what_the_timeline_needs(seeded: FlaskClient) -> None:
    types = {item["id"] for item in everything(seeded, "/v1/event-types")}
    assert {"bounty", "court-ruling", "denial", "warning", "report"} <= types
    tags = {item["id"] for item in everything(seeded, "/v1/tags")}
    assert {"icefcom", "cyber", "taiwan"} <= tags


# --- Countries -------------------------------------------------------------------------------


def test_countries_are_listed_by_code_with_names(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/countries")
    assert response.status_code == 200
    countries = response.json["data"]
    codes = [country["code"] for country in countries]
    assert codes == sorted(codes)
    assert {"TW": "Taiwan", "CN": "China"}.items() <= {
        country["code"]: country["name"] for country in countries
    }.items()
    assert all(len(code) == 2 and code.isupper() for code in codes)


def test_countries_of_an_empty_database_are_an_empty_list(client: FlaskClient) -> None:
    response = client.get("/v1/countries")
    assert response.status_code == 200
    assert response.json["data"] == []


def test_every_country_an_actor_names_is_listed(seeded: FlaskClient) -> None:
    codes = {country["code"] for country in seeded.get("/v1/countries").json["data"]}
    named = {actor["country"] for actor in everything(seeded, "/v1/actors") if actor["country"]}
    assert named <= codes


# --- Series ----------------------------------------------------------------------------------


def test_series_are_listed_by_id(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/series")
    assert response.status_code == 200
    series_ids = [series["id"] for series in response.json["data"]]
    assert series_ids == sorted(series_ids)
    assert len(series_ids) >= 2
    for series in response.json["data"]:
        assert series["title"] and series["unit"]


def test_series_points_are_in_order_each_with_its_source(seeded: FlaskClient) -> None:
    for listed in seeded.get("/v1/series").json["data"]:
        response = seeded.get(f"/v1/series/{listed['id']}")
        assert response.status_code == 200
        series = response.json
        assert {key: series[key] for key in listed} == listed
        points = series["points"]
        assert points, listed["id"]
        starts = [(point["earliest"], point["latest"]) for point in points]
        assert starts == sorted(starts)
        for point in points:
            assert point["earliest"] <= point["latest"]
            assert point["earliest"].startswith(point["period"][:4])
            assert isinstance(point["value"], int | float)
            source = seeded.get(f"/v1/sources/{point['source']['id']}")
            assert source.status_code == 200, point


def test_series_values_are_whole_numbers_when_whole(seeded: FlaskClient) -> None:
    series = seeded.get("/v1/series/tw-gsn-daily-cyberattacks").json
    assert {point["period"]: point["value"] for point in series["points"]} == {
        "2023": 1200000,
        "2024": 2400000,
    }
    assert all(type(point["value"]) is int for point in series["points"])


def test_series_of_an_empty_database_are_an_empty_list(client: FlaskClient) -> None:
    response = client.get("/v1/series")
    assert response.status_code == 200
    assert response.json["data"] == []


# --- Not found -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/actors/{id}",
        "/v1/actors/{id}/events",
        "/v1/sources/{id}",
        "/v1/tags/{id}",
        "/v1/event-types/{id}",
        "/v1/series/{id}",
        "/v1/events/{id}",
    ],
)
def test_unknown_id_is_a_404_problem(seeded: FlaskClient, path: str) -> None:
    assert_not_found(seeded.get(path.format(id="no-such-record")), "no-such-record")


def test_unknown_actor_events_are_a_404_not_an_empty_page(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/actors/no-such-actor/events", query_string={"from": "2020"})
    assert_not_found(response, "no-such-actor")


@pytest.mark.parametrize("path", ["/v1/countries/TW", "/v1/nothing-here"])
def test_paths_that_do_not_exist_are_a_404_problem(seeded: FlaskClient, path: str) -> None:
    response = seeded.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
