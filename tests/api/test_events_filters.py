"""GET /v1/events filters: type, actor, country, tag, q, disputed; AND across, OR within."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.conftest import ids

DISPUTE = {"start": "2019", "source": "test-source", "note": "Another report says 2019."}


@pytest.fixture
def catalogue(add_events: Callable[..., None]) -> None:
    """Four events that differ in every filter, listed by start in this order."""
    add_events(
        {
            "id": "tw-arrest",
            "start": "2020",
            "type": "test-type",
            "actors": [{"actor": "agency-a", "role": "accuser"}],
            "countries": ["TW"],
            "tags": ["red"],
        },
        {
            "id": "cn-ruling",
            "start": "2021",
            "type": "other-type",
            "actors": [{"actor": "agency-b", "role": "court"}],
            "countries": ["CN"],
            "tags": ["blue"],
        },
        {
            "id": "both",
            "start": "2022",
            "type": "test-type",
            "actors": [
                {"actor": "agency-a", "role": "target"},
                {"actor": "agency-a", "role": "victim"},
                {"actor": "agency-b", "role": "perpetrator"},
            ],
            "countries": ["TW", "CN"],
            "tags": ["red", "blue"],
            "alternative_dates": [DISPUTE],
        },
        {"id": "bare", "start": "2023", "type": "other-type"},
    )


ONE_FILTER = {
    "type=test-type": ["tw-arrest", "both"],
    "type=other-type": ["cn-ruling", "bare"],
    "actor=agency-a": ["tw-arrest", "both"],
    "actor=agency-b": ["cn-ruling", "both"],
    "country=TW": ["tw-arrest", "both"],
    "country=tw": ["tw-arrest", "both"],
    "country=CN": ["cn-ruling", "both"],
    "tag=red": ["tw-arrest", "both"],
    "tag=blue": ["cn-ruling", "both"],
    "disputed=true": ["both"],
    "disputed=false": ["tw-arrest", "cn-ruling", "bare"],
}
# Repeated, or separated by commas; an event matching several values is listed once.
ONE_OF_SEVERAL_VALUES = {
    "type=test-type&type=other-type": ["tw-arrest", "cn-ruling", "both", "bare"],
    "type=test-type,other-type": ["tw-arrest", "cn-ruling", "both", "bare"],
    "actor=agency-a&actor=agency-b": ["tw-arrest", "cn-ruling", "both"],
    "actor=agency-a,agency-b": ["tw-arrest", "cn-ruling", "both"],
    "country=TW&country=CN": ["tw-arrest", "cn-ruling", "both"],
    "country=TW,CN": ["tw-arrest", "cn-ruling", "both"],
    "tag=red&tag=blue": ["tw-arrest", "cn-ruling", "both"],
    "tag=red,blue": ["tw-arrest", "cn-ruling", "both"],
    "tag=red,%20blue": ["tw-arrest", "cn-ruling", "both"],
    "tag=red,red": ["tw-arrest", "both"],
}
EVERY_FILTER = {
    "type=test-type&country=CN": ["both"],
    "tag=red&actor=agency-b": ["both"],
    "type=other-type&tag=red": [],
    "actor=agency-a&disputed=false": ["tw-arrest"],
    "country=CN&disputed=true": ["both"],
    "type=test-type,other-type&tag=blue": ["cn-ruling", "both"],
    "tag=red,blue&country=TW&actor=agency-b": ["both"],
    "from=2021&to=2022&tag=red": ["both"],
    "to=2021&type=other-type": ["cn-ruling"],
    "from=2022&disputed=false": ["bare"],
}


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(ONE_FILTER, id="each-filter-keeps-matching-events"),
        pytest.param(ONE_OF_SEVERAL_VALUES, id="values-of-one-filter-combine-with-or"),
        pytest.param(EVERY_FILTER, id="filters-combine-with-and"),
    ],
)
@pytest.mark.usefixtures("catalogue")
def test_filters_combine_with_and_and_their_values_with_or(
    client: FlaskClient, expected: dict[str, list[str]]
) -> None:
    found = {query: ids(client.get(f"/v1/events?{query}")) for query in expected}
    assert found == expected
    totals = {query: client.get(f"/v1/events?{query}").json["meta"]["total"] for query in expected}
    assert totals == {query: len(listed) for query, listed in expected.items()}


@pytest.mark.usefixtures("catalogue")
def test_a_listed_event_shows_what_it_was_filtered_on(client: FlaskClient) -> None:
    (event,) = client.get("/v1/events?disputed=true").json["data"]
    assert event["type"]["id"] == "test-type"
    assert [country["code"] for country in event["countries"]] == ["CN", "TW"]
    assert [tag["id"] for tag in event["tags"]] == ["blue", "red"]
    assert event["disputed"] is True


@pytest.fixture
def texts(add_events: Callable[..., None]) -> None:
    """Events whose words sit in different fields, listed by start in this order."""
    add_events(
        {
            "id": "spy-ring",
            "start": "2020",
            "title": "Spy ring uncovered",
            "summary": "Officers passed secrets to a handler.",
            "text": "The handler paid them in cash.",
        },
        {
            "id": "court",
            "start": "2021",
            "title": "Court hearing",
            "summary": "Judges heard the case about stolen secrets.",
        },
        {
            "id": "surveillance",
            "start": "2022",
            "title": "Überwachung in Zürich",
            "summary": "Swiss police watched a diplomat.",
        },
    )


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(
            {"spy": ["spy-ring"], "judges": ["court"], "cash": ["spy-ring"]},
            id="title-summary-and-text",
        ),
        pytest.param(
            {
                "SPY": ["spy-ring"],
                "SeCrEtS": ["spy-ring", "court"],
                "zürich": ["surveillance"],
                "ÜBERWACHUNG": ["surveillance"],
            },
            id="any-case",
        ),
        pytest.param(
            {
                "secrets": ["spy-ring", "court"],
                "spy cash": ["spy-ring"],  # words found in different fields
                "cash spy": ["spy-ring"],
                "handler Officers secrets": ["spy-ring"],
                "secrets judges": ["court"],
                "überwachung diplomat": ["surveillance"],
            },
            id="every-word",
        ),
        pytest.param(
            {"court cash": [], "spy nowhere": [], "nowhere": []},
            id="a-missing-word-lists-nothing",
        ),
    ],
)
@pytest.mark.usefixtures("texts")
def test_q_lists_events_holding_every_word_in_any_case(
    client: FlaskClient, expected: dict[str, list[str]]
) -> None:
    found = {q: ids(client.get("/v1/events", query_string={"q": q})) for q in expected}
    assert found == expected


@pytest.mark.usefixtures("texts")
def test_q_combines_with_the_other_filters(client: FlaskClient) -> None:
    assert ids(client.get("/v1/events?q=secrets&from=2021")) == ["court"]
    assert ids(client.get("/v1/events?q=secrets&to=2020")) == ["spy-ring"]
    assert ids(client.get("/v1/events?q=secrets&tag=red")) == []


@pytest.mark.usefixtures("catalogue")
def test_an_unknown_id_is_a_400_naming_the_parameter_and_the_id(client: FlaskClient) -> None:
    # query → (the parameter named, the id it names no record of)
    expected = {
        "type=no-such-type": ("type", "no-such-type"),
        "type=test-type,no-such-type": ("type", "no-such-type"),
        "actor=no-such-actor": ("actor", "no-such-actor"),
        "actor=agency-a&actor=ghost": ("actor", "ghost"),
        "tag=green": ("tag", "green"),
        "tag=red,blue,green": ("tag", "green"),
        "tag=red&type=missing": ("type", "missing"),
    }
    found = {}
    for query, (_, unknown) in expected.items():
        response = client.get(f"/v1/events?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "application/problem+json"
        problem = response.json or {}
        assert problem["status"] == 400
        assert unknown in problem["detail"], query
        (error,) = problem["errors"]
        found[query] = (error["parameter"], unknown if unknown in error["detail"] else None)
    assert found == expected


@pytest.mark.usefixtures("catalogue")
def test_an_actors_events_are_those_naming_it_in_any_role(client: FlaskClient) -> None:
    expected = {
        "agency-a": ["tw-arrest", "both"],
        "agency-b": ["cn-ruling", "both"],
        "agency-a?tag=blue": ["both"],
        "agency-b?type=other-type": ["cn-ruling"],
        "agency-b?country=TW": ["both"],
        "agency-a?disputed=false": ["tw-arrest"],
        "agency-a?from=2021": ["both"],
        "agency-b?sort=-start": ["both", "cn-ruling"],
        "agency-b?type=test-type&country=CN": ["both"],
    }
    responses = {path: client.get(f"/v1/actors/{actor_events(path)}") for path in expected}
    assert {path: ids(response) for path, response in responses.items()} == expected
    assert {path: response.json["meta"]["total"] for path, response in responses.items()} == {
        path: len(listed) for path, listed in expected.items()
    }


def actor_events(path: str) -> str:
    """ "agency-a?tag=red" → "agency-a/events?tag=red"."""
    actor, _, query = path.partition("?")
    return f"{actor}/events?{query}"


@pytest.mark.usefixtures("catalogue")
def test_an_actors_events_page_like_the_events_list(client: FlaskClient) -> None:
    first = client.get("/v1/actors/agency-b/events?limit=1")
    assert ids(first) == ["cn-ruling"]
    assert first.json["links"]["next"].startswith("http://localhost/v1/actors/agency-b/events?")
    assert ids(client.get(first.json["links"]["next"])) == ["both"]


def test_an_actor_without_events_has_an_empty_list(
    client: FlaskClient, add_event: Callable[..., None]
) -> None:
    add_event("unrelated", "2020", actors=[{"actor": "agency-a", "role": "subject"}])
    response = client.get("/v1/actors/agency-b/events")
    assert ids(response) == []
    assert response.json["meta"]["total"] == 0


@pytest.mark.usefixtures("catalogue")
def test_events_of_an_unknown_actor_are_a_404(client: FlaskClient) -> None:
    response = client.get("/v1/actors/no-such-actor/events")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "no-such-actor" in response.json["detail"]
