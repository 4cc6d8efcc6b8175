"""Writes take what reads give: GET a record, change a member, PUT it back; merge patches apply
to the record as GET shows it; ETags follow the record, not what refers to it."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.editing import (
    DOCUMENT_SOURCE,
    EVENT,
    LINKED_EVENT,
    SERIES,
    Tokens,
    Writer,
    event_body,
    history,
    tokens,
    writer,
)

DISPUTED_EVENT = "tw-four-soldiers-espionage-2022-2024"
# A seeded record of every kind, and a member a client might change in it.
RECORDS = {
    "event": (f"/v1/events/{EVENT}", "title"),
    "disputed event": (f"/v1/events/{DISPUTED_EVENT}", "summary"),
    "linked event": (f"/v1/events/{LINKED_EVENT}", "title"),
    "actor": ("/v1/actors/icefcom", "name"),
    "source": (f"/v1/sources/{DOCUMENT_SOURCE}", "title"),
    "tag": ("/v1/tags/cyber", "name"),
    "event type": ("/v1/event-types/court-ruling", "name"),
    "series": (f"/v1/series/{SERIES}", "title"),
}


def read(client: FlaskClient, path: str) -> tuple[dict[str, Any], str]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.json  # type: ignore[assignment]  # a 200 has a body
    return body, response.headers["ETag"]


def assert_refused(response: Any, *pointers: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert [error["pointer"] for error in response.json["errors"]] == list(pointers)


@pytest.mark.parametrize(("path", "member"), RECORDS.values(), ids=RECORDS)
def test_get_then_put_of_the_same_body_changes_nothing(
    seeded: FlaskClient, writer: Writer, path: str, member: str
) -> None:
    body, etag = read(seeded, path)
    revisions = len(history(seeded, path))
    response = writer.put(path, body, etag)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == body
    assert response.headers["ETag"] == etag
    assert len(history(seeded, path)) == revisions  # no revision for no change


@pytest.mark.parametrize(("path", "member"), RECORDS.values(), ids=RECORDS)
def test_get_change_one_member_put_it_back(
    seeded: FlaskClient, writer: Writer, path: str, member: str
) -> None:
    body, etag = read(seeded, path)
    response = writer.put(path, {**body, member: "Changed by an editor"}, etag)
    assert response.status_code == 200, response.get_data(as_text=True)
    after, new_etag = read(seeded, path)
    assert after[member] == "Changed by an editor"
    assert new_etag != etag
    unchanged = {key for key in body if key not in (member, "updated_at")}
    assert {key: after[key] for key in unchanged} == {key: body[key] for key in unchanged}
    assert history(seeded, path)[-1]["action"] == "update"


def test_a_get_body_with_a_new_id_creates_a_copy(seeded: FlaskClient, writer: Writer) -> None:
    body, _etag = read(seeded, f"/v1/events/{DISPUTED_EVENT}")
    # Links other events make to this one are theirs: a copy cannot claim them.
    outgoing = [link for link in body["links"] if link["direction"] == "outgoing"]
    created = writer.post("/v1/events", {**body, "id": "a-copy", "links": outgoing})
    assert created.status_code == 201, created.get_data(as_text=True)
    copy = seeded.get("/v1/events/a-copy").json
    assert copy["actors"] == body["actors"]
    assert copy["alternative_dates"] == body["alternative_dates"]
    assert copy["disputed"] is True


def test_the_compact_form_and_the_read_form_mix_in_one_body(
    seeded: FlaskClient, writer: Writer
) -> None:
    body = event_body(
        "mixed-forms",
        type={"id": "arrest", "name": "Arrest"},
        actors=[
            {"id": "icefcom", "name": "ICEFCOM", "kind": "military_unit", "role": "target"},
            {"actor": "china", "role": "accused"},
        ],
        countries=[{"code": "TW", "name": "Taiwan"}, "CN"],
        tags=[{"id": "cyber", "name": "Cyber operations"}],
    )
    response = writer.post("/v1/events", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    event = response.json
    assert event["type"]["id"] == "arrest"
    assert [(a["id"], a["role"]) for a in event["actors"]] == [
        ("icefcom", "target"),
        ("china", "accused"),
    ]
    assert [c["code"] for c in event["countries"]] == ["CN", "TW"]
    assert [t["id"] for t in event["tags"]] == ["cyber"]


def test_a_merge_patch_applies_to_what_get_shows(seeded: FlaskClient, writer: Writer) -> None:
    path = f"/v1/events/{EVENT}"
    body, _etag = read(seeded, path)
    actors = [*body["actors"], {"id": "icefcom", "name": "ICEFCOM", "kind": "x", "role": "target"}]
    response = writer.patch(
        path, {"type": {"id": "arrest"}, "actors": actors, "countries": [{"code": "CN"}]}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    after = seeded.get(path).json
    assert after["type"] == {"id": "arrest", "name": "Arrest"}
    assert [a["id"] for a in after["actors"]] == [a["id"] for a in actors]
    assert [c["code"] for c in after["countries"]] == ["CN"]
    assert after["title"] == body["title"]


READ_ONLY = {
    "earliest": (f"/v1/events/{EVENT}", {"earliest": "1999-01-01"}, "/earliest"),
    "disputed": (f"/v1/events/{EVENT}", {"disputed": True}, "/disputed"),
    "start precision": (f"/v1/events/{EVENT}", {"start_precision": "year"}, "/start_precision"),
    "updated_at": (
        f"/v1/events/{EVENT}",
        {"updated_at": "2000-01-01T00:00:00+00:00"},
        "/updated_at",
    ),
    "published precision": (
        f"/v1/sources/{DOCUMENT_SOURCE}",
        {"published_precision": "year"},
        "/published_precision",
    ),
}


@pytest.mark.parametrize(("path", "change", "pointer"), READ_ONLY.values(), ids=READ_ONLY)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_read_only_member_that_disagrees_is_refused_by_name(
    seeded: FlaskClient,
    writer: Writer,
    path: str,
    change: dict[str, Any],
    pointer: str,
    method: str,
) -> None:
    body, etag = read(seeded, path)
    if method == "PUT":
        response = writer.put(path, {**body, **change}, etag)
    else:
        response = writer.patch(path, change, etag)
    assert_refused(response, pointer)
    assert read(seeded, path) == (body, etag)


def test_a_series_point_with_a_wrong_widest_day_is_refused(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/series/{SERIES}"
    body, etag = read(seeded, path)
    points = [dict(point) for point in body["points"]]
    points[0]["latest"] = "1999-12-31"
    assert_refused(writer.put(path, {**body, "points": points}, etag), "/points/0/latest")


def test_a_new_start_may_keep_the_read_earliest_or_give_the_new_one(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    body, etag = read(seeded, path)
    kept = writer.put(path, {**body, "start": "2025-03"}, etag)
    assert kept.status_code == 200, kept.get_data(as_text=True)
    assert (kept.json["earliest"], kept.json["start_precision"]) == ("2025-03-01", "month")
    body, etag = read(seeded, path)
    given = {**body, "start": "2025", "earliest": "2025-01-01", "start_precision": "year"}
    assert writer.put(path, given, etag).status_code == 200


def test_an_incoming_link_the_event_does_not_have_is_refused(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    body, etag = read(seeded, path)
    claimed = {"kind": "follows", "direction": "incoming", "event": {"id": DISPUTED_EVENT}}
    response = writer.put(path, {**body, "links": [*body["links"], claimed]}, etag)
    assert_refused(response, f"/links/{len(body['links'])}")


# --- ETags from the record's own state --------------------------------------------------------


def test_an_event_naming_an_actor_does_not_make_the_actors_etag_stale(
    seeded: FlaskClient, writer: Writer
) -> None:
    """The ICEFCOM case: an editor's PATCH with the ETag just read is not a 412 because
    someone else added an event naming the actor meanwhile."""
    path = "/v1/actors/icefcom"
    before, etag = read(seeded, path)
    named = event_body("names-icefcom", actors=[{"actor": "icefcom", "role": "target"}])
    assert writer.post("/v1/events", named).status_code == 201
    after, fresh_etag = read(seeded, path)
    assert after["event_count"] == before["event_count"] + 1
    assert fresh_etag != etag  # a cache revalidating sees the new count
    response = writer.patch(path, {"description": "Taiwan's cyber force."}, etag)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_link_to_an_event_does_not_make_its_etag_stale(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{DISPUTED_EVENT}"
    _body, etag = read(seeded, path)
    linking = event_body("links-to-it", links=[{"to": DISPUTED_EVENT, "kind": "follows"}])
    assert writer.post("/v1/events", linking).status_code == 201
    response = writer.patch(path, {"importance": 5}, etag)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_change_to_the_record_itself_makes_its_etag_stale(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = "/v1/actors/icefcom"
    _body, etag = read(seeded, path)
    assert writer.patch(path, {"name": "First editor"}, etag).status_code == 200
    second = writer.patch(path, {"name": "Second editor"}, etag)
    assert second.status_code == 412
    assert second.mimetype == "application/problem+json"


def test_the_etag_revalidates_a_cached_record(seeded: FlaskClient) -> None:
    path = "/v1/actors/icefcom"
    _body, etag = read(seeded, path)
    assert seeded.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_a_write_body_over_the_size_limit_is_a_413_problem(
    seeded_app: Flask, seeded: FlaskClient, writer: Writer
) -> None:
    seeded_app.config["MAX_CONTENT_LENGTH"] = 1024
    body = event_body("too-long", summary="x" * 2000)
    response = writer.post("/v1/events", body)
    assert response.status_code == 413, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert seeded.get("/v1/events/too-long").status_code == 404


def test_a_revision_number_past_any_id_is_a_404(seeded: FlaskClient, tokens: Tokens) -> None:
    path = f"/v1/actors/icefcom/history/{2**64}/restore"
    response = seeded.post(path, headers=tokens.header("admin"))
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_the_etag_of_a_compressed_answer_is_good_for_if_match(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    compressed = seeded.get(path, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    etag = compressed.headers["ETag"]
    assert etag.endswith(':gzip"')
    assert writer.patch(path, {"importance": 2}, etag).status_code == 200
