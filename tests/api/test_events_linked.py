"""A date window with an actor, country or tag filter follows every write of the event.

Such lists read the event's span class, dates and deletion from the link tables' own copies
(revision 0009, queries.linked): each write path that changes an event's dates, deletes or
restores it, or replaces its links must leave the copies equal to the event, or the list
would show an event where it no longer is (or miss it where it now is) and miscount.
"""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.editing import Tokens, Writer, admin, event_body, history, tokens, writer

PATH = "/v1/events/linked-window"
# In the window, and a year after it.
INSIDE, OUTSIDE = "1931-05-01", "1932-05-01"
WINDOW = "from=1931-01-01&to=1931-12-31"
# One filter per link table, and the "any of" form of each.
FILTERS = [
    "actor=taiwan",
    "actor=taiwan&actor=tw-taipei-district-court",
    "country=TW",
    "country=TW&country=CN",
    "tag=taiwan",
    "tag=taiwan&tag=prosecutions",
]
SORTS = ["start", "-start", "end", "-end"]


def body(**fields: Any) -> dict[str, Any]:
    """An event with an actor in two roles (two link rows, counted once), countries, tags."""
    linked = {
        "start": INSIDE,
        "actors": [
            {"actor": "taiwan", "role": "announcer"},
            {"actor": "taiwan", "role": "target"},
            {"actor": "tw-taipei-district-court", "role": "court"},
        ],
        "countries": ["TW", "CN"],
        "tags": ["taiwan", "prosecutions"],
    }
    return event_body("linked-window", **{**linked, **fields})


def listed(client: FlaskClient, query: str) -> tuple[list[str], int]:
    """The ids of every page of a window list (two per page), and its total."""
    url: str | None = f"/v1/events?{WINDOW}&{query}&limit=2"
    found: list[str] = []
    total = None
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        found += [event["id"] for event in response.json["data"]]
        total = response.json["meta"]["total"] if total is None else total
        url = response.json["links"]["next"]
    assert total is not None
    return found, total


def assert_shown(client: FlaskClient, shown: bool, filters: list[str] = FILTERS) -> None:
    for query in filters:
        for sort in SORTS:
            ids, total = listed(client, f"{query}&sort={sort}")
            assert ids.count("linked-window") == (1 if shown else 0), (query, sort)
            assert total == len(ids), (query, sort)


def test_an_event_in_the_window_shows_once_with_one_of_its_actors_countries_or_tags(
    seeded: FlaskClient, writer: Writer
) -> None:
    assert writer.post("/v1/events", body()).status_code == 201
    assert_shown(seeded, True)
    assert_shown(seeded, False, ["actor=chinese-intelligence-services", "tag=cross-strait"])


def test_moving_an_event_out_of_the_window_and_back_moves_it_in_those_lists(
    seeded: FlaskClient, writer: Writer
) -> None:
    assert writer.post("/v1/events", body()).status_code == 201
    moved = writer.patch(PATH, {"start": OUTSIDE})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert_shown(seeded, False)
    # A period from before the window into it: another span class, reaching in.
    back = writer.put(PATH, body(start="1920", end="1931-02"))
    assert back.status_code == 200, back.get_data(as_text=True)
    assert_shown(seeded, True)


def test_a_deleted_event_leaves_those_lists_and_a_restored_one_comes_back(
    seeded: FlaskClient, writer: Writer, admin: Writer
) -> None:
    assert writer.post("/v1/events", body()).status_code == 201
    kept = history(seeded, PATH)[-1]["id"]
    assert writer.delete(PATH).status_code == 204
    assert_shown(seeded, False)
    restored = admin.restore(PATH, kept)
    assert restored.status_code == 200, restored.get_data(as_text=True)
    assert_shown(seeded, True)


def test_replaced_links_are_listed_under_their_new_actors_countries_and_tags(
    seeded: FlaskClient, writer: Writer
) -> None:
    assert writer.post("/v1/events", body()).status_code == 201
    changed = writer.patch(
        PATH,
        {
            "actors": [{"actor": "chinese-intelligence-services", "role": "accused"}],
            "countries": ["US"],
            "tags": ["cross-strait"],
        },
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert_shown(seeded, False)
    assert_shown(seeded, True, ["actor=chinese-intelligence-services", "country=US"])
    assert_shown(seeded, True, ["tag=cross-strait", "tag=cross-strait&tag=taiwan"])


@pytest.mark.parametrize("stored", [INSIDE, OUTSIDE])
def test_an_import_rewriting_a_deleted_event_keeps_it_out_of_those_lists(
    seeded: FlaskClient, writer: Writer, admin: Writer, stored: str
) -> None:
    """An import updates a deleted event by its id (it stays deleted): the links it writes
    anew must say so, whether its dates change (into the window) or not."""
    assert writer.post("/v1/events", body(start=stored)).status_code == 201
    assert writer.delete(PATH).status_code == 204
    file = {"events": [body(tags=["taiwan", "cross-strait"])]}
    imported = admin.client.post(
        "/v1/import", data=json.dumps(file), content_type="application/json", headers=admin.auth
    )
    assert imported.status_code == 200, imported.get_data(as_text=True)
    assert_shown(seeded, False, [*FILTERS, "tag=cross-strait"])
