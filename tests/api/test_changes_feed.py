"""The changes feed as alerts use it: filtered, resumable, never held by caches, and as Atom."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import feedparser
import pytest
from flask.testing import FlaskClient

from tests.editing import Writer, admin, changes, event_body, tokens, writer


def test_changes_filter_by_record_type_and_action(seeded: FlaskClient, writer: Writer) -> None:
    assert writer.post("/v1/tags", {"id": "new-tag", "name": "New"}).status_code == 201
    assert writer.post("/v1/events", event_body("new-event")).status_code == 201
    assert writer.patch("/v1/events/new-event", {"importance": 5}).status_code == 200
    since = changes(seeded)[-4]["id"]
    found = changes(seeded, since=since, record_type="events")
    assert [(c["record_id"], c["action"]) for c in found] == [
        ("new-event", "create"),
        ("new-event", "update"),
    ]
    updates = changes(seeded, since=since, record_type="events,tags", action="update")
    assert [(c["record_id"], c["action"]) for c in updates] == [("new-event", "update")]


def test_meta_last_id_resumes_the_feed(seeded: FlaskClient, writer: Writer) -> None:
    last = seeded.get("/v1/changes?limit=500").json
    while last["links"]["next"]:
        last = seeded.get(last["links"]["next"]).json
    last_id = last["meta"]["last_id"]
    assert last_id == last["data"][-1]["id"]
    quiet = seeded.get(f"/v1/changes?since={last_id}").json
    assert quiet["data"] == []
    assert quiet["meta"]["last_id"] == last_id  # nothing new: resume from the same place
    assert writer.post("/v1/tags", {"id": "new-tag", "name": "New"}).status_code == 201
    fresh = seeded.get(f"/v1/changes?since={last_id}").json
    assert [c["record_id"] for c in fresh["data"]] == ["new-tag"]
    assert fresh["meta"]["last_id"] == fresh["data"][-1]["id"] > last_id


def test_changes_are_revalidated_not_cached(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/changes?record_type=events")
    assert response.headers["Cache-Control"] == "no-cache"
    again = seeded.get(
        "/v1/changes?record_type=events", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("record_type=event", "record_type"), ("action=edit", "action"), ("format=rss", "format")],
)
def test_bad_change_filters_name_the_parameter(
    seeded: FlaskClient, query: str, parameter: str
) -> None:
    response = seeded.get(f"/v1/changes?{query}")
    assert response.status_code == 400
    assert response.json["errors"][0]["parameter"] == parameter


def test_atom_feed_lists_the_newest_event_changes(seeded: FlaskClient, writer: Writer) -> None:
    assert writer.post("/v1/events", event_body("new-event")).status_code == 201
    assert writer.patch("/v1/events/new-event", {"importance": 5}).status_code == 200
    assert writer.post("/v1/tags", {"id": "new-tag", "name": "New"}).status_code == 201
    response = seeded.get("/v1/changes?format=atom&record_type=events&limit=5")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert response.headers["Cache-Control"] == "no-cache"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 5
    newest, created = feed.entries[0], feed.entries[1]
    assert newest.title.startswith("events/new-event updated: ")
    assert "importance" in newest.summary
    assert created.title.startswith("events/new-event created: ")
    assert newest.link.endswith("/v1/events/new-event")
    assert newest.author == "desk"
    assert all("/v1/events/" in entry.link for entry in feed.entries)
    assert feed.entries[0].updated_parsed >= feed.entries[-1].updated_parsed


def test_atom_feed_is_chosen_by_accept(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/changes?limit=2", headers={"Accept": "application/atom+xml"})
    feed = feedparser.parse(response.data)
    assert not feed.bozo
    assert len(feed.entries) == 2
