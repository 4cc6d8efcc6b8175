"""Full-text search as a journalist types it: phrases, prefixes, accents, junk, relevance."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.conftest import ids


@pytest.fixture
def stories(add_events: Callable[..., None]) -> None:
    add_events(
        {
            "id": "army",
            "start": "2025-06-05",
            "title": "A secret army of hackers",
            "summary": "Beijing calls the unit a secret army.",
        },
        {
            "id": "words-apart",
            "start": "2025-06-06",
            "title": "An army report",
            "summary": "The report keeps the matter secret.",
        },
        {
            "id": "espionage",
            "start": "2024",
            "title": "Espionage ring broken",
            "summary": "Soldiers were jailed for espionage and spying.",
        },
        {
            "id": "accented",
            "start": "2023",
            "title": "Ministère de la Défense",
            "summary": "A statement from the French defence ministry.",
        },
        {
            "id": "in-text",
            "start": "2022",
            "title": "Quiet year",
            "summary": "Nothing much.",
            "text": "A footnote mentions the Dresden arrest.",
        },
    )


def search(client: FlaskClient, q: str, **more: str) -> list[str]:
    return ids(client.get("/v1/events", query_string={"q": q, **more}))


@pytest.mark.usefixtures("stories")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"secret army"', ["army"]),  # a phrase: the words together, in order
        ("secret army", ["words-apart", "army"]),  # words: all of them, anywhere
        ("espion*", ["espionage"]),  # a prefix
        ("ESPIONAGE", ["espionage"]),  # any case
        ("defense", ["accented"]),  # accents do not matter...
        ("Défense", ["accented"]),  # ...either way round
        ("dresden", ["in-text"]),  # the longer text is searched too
        ("espionage army", []),  # every word must match
        ('"secret army', ["words-apart", "army"]),  # an unbalanced quote: plain words
        ("army AND secret", ["words-apart", "army"]),  # operators in capitals are ignored
        ("army; DROP TABLE events; --", []),  # SQL is only words
    ],
)
def test_search_finds_what_was_typed(client: FlaskClient, q: str, expected: list[str]) -> None:
    assert sorted(search(client, q)) == sorted(expected)


@pytest.mark.usefixtures("stories")
def test_search_combines_with_dates_and_paging(client: FlaskClient) -> None:
    assert search(client, "army", **{"from": "2025-06-06"}) == ["words-apart"]
    first = client.get("/v1/events", query_string={"q": "army", "limit": 1})
    assert first.json["meta"]["total"] == 2
    second = client.get(first.json["links"]["next"])
    assert ids(first) + ids(second) == ["army", "words-apart"]


@pytest.mark.usefixtures("stories")
def test_relevance_puts_the_closest_match_first_and_pages(client: FlaskClient) -> None:
    ranked = search(client, "secret army", sort="relevance")
    assert ranked[0] == "army"  # both words twice beats once each
    page = client.get(
        "/v1/events", query_string={"q": "secret army", "sort": "relevance", "limit": 1}
    )
    following = client.get(page.json["links"]["next"])
    assert ids(page) + ids(following) == ranked


@pytest.mark.usefixtures("stories")
def test_each_result_shows_where_the_words_were_found(client: FlaskClient) -> None:
    found = client.get("/v1/events", query_string={"q": "jailed"}).json["data"]
    assert found[0]["snippet"] == ("Soldiers were <mark>jailed</mark> for espionage and spying.")
    unsearched = client.get("/v1/events").json["data"]
    assert all("snippet" not in event for event in unsearched)


@pytest.mark.usefixtures("stories")
def test_a_snippet_escapes_html(client: FlaskClient, add_event: Callable[..., None]) -> None:
    add_event("markup", "2021", title="<script>alert(1)</script> spying")
    snippet = client.get("/v1/events?q=spying&from=2021&to=2021").json["data"][0]["snippet"]
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet


@pytest.mark.parametrize("q", ["*", "AND", '""', "-", "&&"])
def test_a_search_without_words_is_a_400_naming_q(client: FlaskClient, q: str) -> None:
    response = client.get("/v1/events", query_string={"q": q})
    assert response.status_code == 400
    assert response.json["errors"][0]["parameter"] == "q"


def test_relevance_without_a_search_is_a_400_naming_sort(client: FlaskClient) -> None:
    response = client.get("/v1/events?sort=relevance")
    assert response.status_code == 400
    assert response.json["errors"][0]["parameter"] == "sort"


def test_an_edited_event_is_found_by_its_new_words(
    client: FlaskClient, add_event: Callable[..., None]
) -> None:
    add_event("renamed", "2020", title="Old words")
    add_event("renamed", "2020", title="Fresh wording")  # loading again updates it
    assert search(client, "fresh") == ["renamed"]
    assert search(client, "old") == []
