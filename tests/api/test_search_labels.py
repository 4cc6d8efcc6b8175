"""Search finds what a journalist types: an event by its type, tags and actors, every form of a
word (`spying` finds spies), and snippets that mark words, not their punctuation."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.conftest import ids
from tests.editing import Tokens, Writer, tokens, writer

SOLDIERS = "tw-four-soldiers-espionage-2022-2024"


def search(client: FlaskClient, q: str, **more: str) -> list[str]:
    return ids(client.get("/v1/events", query_string={"q": q, "limit": 500, **more}))


@pytest.fixture
def labelled(add_events: Callable[..., None]) -> None:
    add_events(
        {
            "id": "plain-words",
            "start": "2024",
            "title": "Four men pass papers",
            "summary": "Nothing here names the case.",
            "type": "other-type",
            "tags": ["blue"],
            "actors": [{"actor": "agency-b", "role": "accused"}],
        },
        {"id": "unrelated", "start": "2024", "title": "Something else", "summary": "Quiet."},
    )


@pytest.mark.usefixtures("labelled")
@pytest.mark.parametrize(
    "q",
    ["other type", '"other type"', "other*", "blue", "Agency B", "agency b", '"agency b"'],
)
def test_an_event_is_found_by_its_type_tags_and_actors(client: FlaskClient, q: str) -> None:
    assert search(client, q) == ["plain-words"]


@pytest.mark.usefixtures("labelled")
def test_a_snippet_shows_the_label_that_matched(client: FlaskClient) -> None:
    found = client.get("/v1/events", query_string={"q": "blue"}).json["data"]
    assert found[0]["snippet"] == "<mark>Blue</mark>"


@pytest.fixture
def word_forms(add_events: Callable[..., None]) -> None:
    add_events(
        {"id": "spy", "start": "2021", "title": "A spy is caught", "summary": "One man."},
        {"id": "spies", "start": "2022", "title": "Two spies", "summary": "Caught."},
        {"id": "spied", "start": "2023", "title": "He spied for years", "summary": "Jailed."},
        {"id": "espionage", "start": "2024", "title": "Espionage ring", "summary": "Broken."},
        {"id": "spyware", "start": "2025", "title": "Spyware found", "summary": "On phones."},
    )


@pytest.mark.usefixtures("word_forms")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("spying", ["spy", "spies", "spied", "espionage"]),  # one stem, and its synonym
        ("spies", ["spy", "spies", "spied", "espionage"]),
        ("espionage", ["spy", "spies", "spied", "espionage"]),
        ("spy*", ["spy", "spyware"]),  # a prefix is the letters as typed
        ('"spied for"', ["spied"]),  # a phrase is the words as written
        ('"spying for"', []),
    ],
)
def test_a_word_finds_its_other_forms(client: FlaskClient, q: str, expected: list[str]) -> None:
    assert sorted(search(client, q)) == sorted(expected)


@pytest.mark.parametrize(
    ("summary", "q", "snippet"),
    [
        ("Jailed for espionage.", "espionage", "Jailed for <mark>espionage</mark>."),
        ("A (secret) army.", "secret", "A (<mark>secret</mark>) army."),
        (
            "They call it a secret army, again.",
            '"secret army"',
            "They call it a <mark>secret army</mark>, again.",
        ),
        ("Cross-strait relations.", "cross-strait", "<mark>Cross-strait</mark> relations."),
        (
            "Spies, spied: spying!",
            "spy",
            "<mark>Spies</mark>, <mark>spied</mark>: <mark>spying</mark>!",
        ),
    ],
)
def test_a_snippet_marks_words_not_their_punctuation(
    client: FlaskClient, add_event: Callable[..., None], summary: str, q: str, snippet: str
) -> None:
    add_event("marked", "2020", title="Untitled", summary=summary)
    found = client.get("/v1/events", query_string={"q": q}).json["data"]
    assert [event["snippet"] for event in found] == [snippet]


def test_renaming_a_tag_or_an_actor_changes_what_finds_the_event(writer: Writer) -> None:
    assert SOLDIERS in search(writer.client, "insiders")
    tag = writer.client.get("/v1/tags/military-insiders").json
    body = {"id": tag["id"], "name": "Turncoats", "description": tag["description"]}
    assert writer.put("/v1/tags/military-insiders", body).status_code == 200
    assert SOLDIERS in search(writer.client, "turncoats")
    assert SOLDIERS not in search(writer.client, "insiders")
    actor = writer.client.get("/v1/actors/tw-presidential-office").json
    body = {key: actor[key] for key in ("id", "name", "kind", "country", "description")}
    renamed = writer.put("/v1/actors/tw-presidential-office", {**body, "aliases": ["Zongtongfu"]})
    assert renamed.status_code == 200, renamed.get_data(as_text=True)
    assert SOLDIERS in search(writer.client, "zongtongfu")


@pytest.mark.parametrize(
    ("q", "more"),
    [("espionage", {}), ("espion*", {}), ("spying", {}), ("spy*", {"from": "2024"})],
)
def test_the_seed_soldiers_case_is_found_as_a_journalist_types_it(
    seeded: FlaskClient, q: str, more: dict[str, str]
) -> None:
    assert SOLDIERS in search(seeded, q, **more)
