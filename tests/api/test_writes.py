"""Writing over HTTP: create, replace, merge-patch and delete every resource, validated whole,
guarded by If-Match, and each write one transaction."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.editing import (
    DOCUMENT_SOURCE,
    EVENT,
    KINDS,
    LINKED_EVENT,
    OUTSIDE_SOURCE,
    SERIES,
    SMALL,
    VERBATIM,
    Committed,
    Tokens,
    Writer,
    admin,
    bearer,
    committed,
    committed_urls,
    event_body,
    history,
    make_token,
    point,
    send,
    serving,
    tokens,
    writer,
)

# A member each resource requires, so that a null in a merge patch cannot remove it.
REQUIRED = {
    "events": "title",
    "actors": "name",
    "sources": "publisher",
    "tags": "name",
    "event-types": "name",
    "series": "unit",
}


def assert_refused(response: TestResponse, status: int, *pointers: str) -> None:
    """A problem answer; with `pointers`, its errors name exactly those members."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    assert response.json["detail"]
    if pointers:
        errors = response.json["errors"]
        assert {error["pointer"] for error in errors} == set(pointers), errors
        assert all(error["detail"] for error in errors)


def without_time(body: Any) -> dict[str, Any]:
    """A record as GET shows it, less when it last changed (a replace moves that)."""
    return {key: value for key, value in body.items() if key != "updated_at"}


def state(client: FlaskClient, path: str) -> tuple[Any, str | None, int]:
    """What a reader sees of a record: its body, its ETag, and how many revisions it has."""
    response = client.get(path)
    return response.json, response.headers.get("ETag"), len(history(client, path))


# --- The life of a record --------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
def test_a_record_is_created_changed_replaced_and_deleted(
    seeded: FlaskClient, writer: Writer, name: str
) -> None:
    kind = KINDS[name]
    created = writer.post(kind.path, kind.new)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.headers["Location"].endswith(kind.url())
    shown = seeded.get(kind.url())
    assert shown.json == created.json
    assert shown.headers["ETag"] == created.headers["ETag"]

    changed = writer.patch(kind.url(), kind.change)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert {key: seeded.get(kind.url()).json[key] for key in kind.change} == kind.change

    replaced = writer.put(kind.url(), kind.new)
    assert replaced.status_code == 200, replaced.get_data(as_text=True)
    assert without_time(seeded.get(kind.url()).json) == without_time(created.json)

    deleted = writer.delete(kind.url())
    assert deleted.status_code == 204, deleted.get_data(as_text=True)
    assert seeded.get(kind.url()).status_code == (410 if name == "events" else 404)
    revisions = history(seeded, kind.url())
    assert [revision["action"] for revision in revisions] == [
        "create",
        "update",
        "update",
        "delete",
    ]
    assert {revision["author"] for revision in revisions} == {"desk"}


@pytest.mark.parametrize("name", KINDS)
def test_null_in_a_merge_patch_removes_an_optional_member(
    seeded: FlaskClient, writer: Writer, name: str
) -> None:
    kind = KINDS[name]
    assert writer.post(kind.path, kind.new).status_code == 201
    before = seeded.get(kind.url()).json
    response = writer.patch(kind.url(), {kind.optional: None})
    assert response.status_code == 200, response.get_data(as_text=True)
    after = seeded.get(kind.url()).json
    assert after[kind.optional] is None
    unchanged = {key for key in before if key not in (kind.optional, "updated_at")}
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    assert kind.optional not in history(seeded, kind.url())[-1]["after"]


@pytest.mark.parametrize("name", KINDS)
def test_null_for_a_required_member_is_refused_naming_it(
    seeded: FlaskClient, writer: Writer, name: str
) -> None:
    kind = KINDS[name]
    assert writer.post(kind.path, kind.new).status_code == 201
    before = state(seeded, kind.url())
    assert_refused(writer.patch(kind.url(), {REQUIRED[name]: None}), 422, f"/{REQUIRED[name]}")
    assert state(seeded, kind.url()) == before


@pytest.mark.parametrize("name", KINDS)
def test_put_replaces_the_whole_record(seeded: FlaskClient, writer: Writer, name: str) -> None:
    kind = KINDS[name]
    assert writer.post(kind.path, kind.new).status_code == 201
    without = {key: value for key, value in kind.new.items() if key != kind.optional}
    response = writer.put(kind.url(), without)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert seeded.get(kind.url()).json[kind.optional] is None


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_record_id_cannot_change(
    seeded: FlaskClient, writer: Writer, name: str, method: str
) -> None:
    kind = KINDS[name]
    assert writer.post(kind.path, kind.new).status_code == 201
    before = state(seeded, kind.url())
    body = {**kind.new, "id": "renamed"} if method == "PUT" else {"id": "renamed"}
    write = writer.put if method == "PUT" else writer.patch
    assert_refused(write(kind.url(), body), 422, "/id")
    assert state(seeded, kind.url()) == before
    assert seeded.get(kind.url("renamed")).status_code == 404


def test_a_merge_patch_may_be_sent_as_merge_patch_json(seeded: FlaskClient, writer: Writer) -> None:
    response = seeded.patch(
        f"/v1/events/{EVENT}",
        data='{"importance": 1}',
        content_type="application/merge-patch+json",
        headers={**writer.auth, "If-Match": writer.etag(f"/v1/events/{EVENT}")},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert seeded.get(f"/v1/events/{EVENT}").json["importance"] == 1


# --- Validation ------------------------------------------------------------------------------

# Event bodies that are wrong in exactly one place: what to change, and the member to blame.
BAD_EVENTS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "month-13": ({"start": "2024-13"}, ["/start"]),
    "february-30": ({"start": "2023-02-30"}, ["/start"]),
    "two-digit-year": ({"start": "24"}, ["/start"]),
    "slashes": ({"start": "2024/05/01"}, ["/start"]),
    "date-with-time": ({"start": "2024-05-01T10:00"}, ["/start"]),
    "date-as-number": ({"start": 2024}, ["/start"]),
    "no-start": ({"start": None}, ["/start"]),
    "bad-end": ({"end": "2024-04-31"}, ["/end"]),
    "end-before-start": ({"start": "2024-05", "end": "2024-04-30"}, ["/end"]),
    "year-end-before-start": ({"start": "2024", "end": "2023"}, ["/end"]),
    "unknown-type": ({"type": "no-such-type"}, ["/type"]),
    "unknown-actor": (
        {"actors": [{"actor": "no-such-actor", "role": "accuser"}]},
        ["/actors/0/actor"],
    ),
    "unknown-role": ({"actors": [{"actor": "china", "role": "hero"}]}, ["/actors/0/role"]),
    "unknown-source": (
        {"citations": [{"source": "no-such-source", "note": "n"}]},
        ["/citations/0/source"],
    ),
    "unknown-tag": ({"tags": ["cyber", "no-such-tag"]}, ["/tags/1"]),
    "unknown-country": ({"countries": ["TW", "XX"]}, ["/countries/1"]),
    "malformed-country": ({"countries": ["twn"]}, ["/countries/0"]),
    "unknown-link-target": (
        {"links": [{"to": "no-such-event", "kind": "follows"}]},
        ["/links/0/to"],
    ),
    "unknown-link-kind": ({"links": [{"to": EVENT, "kind": "causes"}]}, ["/links/0/kind"]),
    "no-citation": ({"citations": []}, ["/citations"]),
    "citations-missing": ({"citations": None}, ["/citations"]),
    "citation-without-quote-or-note": (
        {"citations": [{"source": OUTSIDE_SOURCE}]},
        ["/citations/0/quote"],
    ),
    "quote-not-in-document": (
        {"citations": [{"source": DOCUMENT_SOURCE, "quote": "Taiwan jailed nobody in 2024."}]},
        ["/citations/0/quote"],
    ),
    "quote-with-straight-quotes": (
        {
            "citations": [
                {
                    "source": DOCUMENT_SOURCE,
                    "quote": 'the judge said they had engaged in acts that "betrayed the country',
                }
            ]
        },
        ["/citations/0/quote"],
    ),
    "document-cited-without-quote": (
        {"citations": [{"source": DOCUMENT_SOURCE, "note": "n"}]},
        ["/citations/0/quote"],
    ),
    "alternative-date-misquoted": (
        {
            "alternative_dates": [
                {"start": "2024-04", "source": DOCUMENT_SOURCE, "quote": "It happened in April."}
            ]
        },
        ["/alternative_dates/0/quote"],
    ),
    "alternative-date-reversed": (
        {
            "alternative_dates": [
                {"start": "2024-05", "end": "2024-04", "source": OUTSIDE_SOURCE, "note": "n"}
            ]
        },
        ["/alternative_dates/0/end"],
    ),
    "alternative-date-unknown-source": (
        {"alternative_dates": [{"start": "2024-04", "source": "no-such-source", "note": "n"}]},
        ["/alternative_dates/0/source"],
    ),
    "title-too-long": ({"title": "x" * 301}, ["/title"]),
    "title-empty": ({"title": ""}, ["/title"]),
    "summary-empty": ({"summary": ""}, ["/summary"]),
    "importance-0": ({"importance": 0}, ["/importance"]),
    "importance-6": ({"importance": 6}, ["/importance"]),
    "importance-as-text": ({"importance": "3"}, ["/importance"]),
    "importance-fraction": ({"importance": 3.5}, ["/importance"]),
    "approximate-maybe": ({"is_approximate": "maybe"}, ["/is_approximate"]),
    "id-with-capitals": ({"id": "New_Event"}, ["/id"]),
    "id-too-long": ({"id": "e" * 121}, ["/id"]),
    "unknown-field": ({"colour": "red"}, ["/colour"]),
    "unknown-citation-field": (
        {"citations": [{"source": OUTSIDE_SOURCE, "note": "n", "page": 4}]},
        ["/citations/0/page"],
    ),
    # The database refuses these; the client must still learn which member is wrong.
    "links-to-itself": ({"links": [{"to": "new-event", "kind": "related"}]}, ["/links/0/to"]),
    "same-actor-role-twice": (
        {"actors": [{"actor": "china", "role": "accuser"}, {"actor": "china", "role": "accuser"}]},
        ["/actors/1"],
    ),
}


def _body(changes: dict[str, Any]) -> dict[str, Any]:
    body = event_body(**changes)
    return {key: value for key, value in body.items() if value is not None}


@pytest.mark.parametrize(("changes", "pointers"), BAD_EVENTS.values(), ids=BAD_EVENTS)
def test_an_invalid_event_is_refused_naming_the_member_and_why(
    seeded: FlaskClient, writer: Writer, changes: dict[str, Any], pointers: list[str]
) -> None:
    before = seeded.get("/v1/changes").json["meta"]["total"]
    assert_refused(writer.post("/v1/events", _body(changes)), 422, *pointers)
    assert seeded.get(f"/v1/events/{_body(changes)['id']}").status_code == 404
    assert seeded.get("/v1/changes").json["meta"]["total"] == before


@pytest.mark.parametrize(
    "citation",
    [
        pytest.param({"source": DOCUMENT_SOURCE, "quote": VERBATIM}, id="verbatim-quote"),
        pytest.param(
            {"source": DOCUMENT_SOURCE, "quote": "  Specifically, there were 10 prosecutions\n"},
            id="white-space-folded",
        ),
        pytest.param({"source": OUTSIDE_SOURCE, "note": "Dates it."}, id="outside-page-note"),
    ],
)
def test_an_event_citing_its_sources_properly_is_created(
    seeded: FlaskClient, writer: Writer, citation: dict[str, str]
) -> None:
    response = writer.post("/v1/events", event_body(citations=[citation]))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (
        seeded.get("/v1/events/new-event").json["citations"][0]["source"]["id"]
        == citation["source"]
    )


# Other resources: (kind, the members to set, the member to blame).
BAD_RECORDS: dict[str, tuple[str, dict[str, Any], str]] = {
    "actor-kind": ("actors", {"kind": "spy"}, "/kind"),
    "actor-unknown-country": ("actors", {"country": "XX"}, "/country"),
    "actor-malformed-country": ("actors", {"country": "twn"}, "/country"),
    "actor-empty-alias": ("actors", {"aliases": ["ICE", ""]}, "/aliases/1"),
    "actor-long-name": ("actors", {"name": "n" * 201}, "/name"),
    "actor-unknown-field": ("actors", {"born": "1950"}, "/born"),
    "source-url": ("sources", {"url": "not a web address"}, "/url"),
    "source-published": ("sources", {"published": "2025-13"}, "/published"),
    "source-document-name": ("sources", {"document": "report.pdf"}, "/document"),
    "source-unknown-document": ("sources", {"document": "no-such-document.txt"}, "/document"),
    "source-long-title": ("sources", {"title": "t" * 501}, "/title"),
    "tag-empty-name": ("tags", {"name": ""}, "/name"),
    "tag-id": ("tags", {"id": "Cyber Ops"}, "/id"),
    "type-long-name": ("event-types", {"name": "n" * 201}, "/name"),
    "type-missing-name": ("event-types", {"name": None}, "/name"),
    "series-period": ("series", {"points": [point("2024-13", 3)]}, "/points/0/period"),
    "series-value": ("series", {"points": [point("2024", "many")]}, "/points/0/value"),
    "series-source": (
        "series",
        {"points": [point("2024", 3, source="no-such-source")]},
        "/points/0/source",
    ),
    "series-misquoted": (
        "series",
        {"points": [point("2024", 3, source=DOCUMENT_SOURCE, quote="64 spies were caught.")]},
        "/points/0/quote",
    ),
    "series-unit": ("series", {"unit": None}, "/unit"),
    "series-same-period-twice": (
        "series",
        {"points": [point("2024", 3), point("2024", 4)]},
        "/points/1/period",
    ),
}


@pytest.mark.parametrize(("name", "changes", "pointer"), BAD_RECORDS.values(), ids=BAD_RECORDS)
def test_an_invalid_record_is_refused_naming_the_member(
    seeded: FlaskClient, writer: Writer, name: str, changes: dict[str, Any], pointer: str
) -> None:
    kind = KINDS[name]
    body = {key: value for key, value in {**kind.new, **changes}.items() if value is not None}
    assert_refused(writer.post(kind.path, body), 422, pointer)
    assert seeded.get(kind.url(body["id"])).status_code != 200


@pytest.mark.parametrize("name", KINDS)
def test_a_second_record_with_the_same_id_is_a_409(
    seeded: FlaskClient, writer: Writer, name: str
) -> None:
    kind = KINDS[name]
    assert writer.post(kind.path, kind.new).status_code == 201
    before = state(seeded, kind.url())
    assert_refused(writer.post(kind.path, {**kind.new, **kind.change}), 409)
    assert state(seeded, kind.url()) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"title": "x"}', "text/plain", 415),
        ("[]", "application/json", 400),
        ('"title"', "application/json", 400),
    ],
)
def test_a_patch_body_that_is_not_a_json_object_is_refused(
    seeded: FlaskClient, writer: Writer, body: str, content_type: str, status: int
) -> None:
    path = f"/v1/events/{EVENT}"
    before = state(seeded, path)
    response = seeded.patch(
        path,
        data=body,
        content_type=content_type,
        headers={**writer.auth, "If-Match": writer.etag(path)},
    )
    assert_refused(response, status)
    assert state(seeded, path) == before


# --- Parts of an event and of a series -------------------------------------------------------


def test_citations_alternative_dates_and_links_are_edited_through_the_event(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    response = writer.patch(
        path,
        {
            "citations": [{"source": DOCUMENT_SOURCE, "quote": VERBATIM, "note": "Context."}],
            "alternative_dates": [
                {"start": "2025-03-27", "source": OUTSIDE_SOURCE, "note": "A day later."}
            ],
            "links": [{"to": LINKED_EVENT, "kind": "related"}],
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    event = seeded.get(path).json
    assert [(c["source"]["id"], c["quote"]) for c in event["citations"]] == [
        (DOCUMENT_SOURCE, VERBATIM)
    ]
    assert [(d["start"], d["source"]["id"]) for d in event["alternative_dates"]] == [
        ("2025-03-27", OUTSIDE_SOURCE)
    ]
    assert event["disputed"] is True
    outgoing = [
        (link["kind"], link["event"]["id"])
        for link in event["links"]
        if link["direction"] == "outgoing"
    ]
    assert outgoing == [("related", LINKED_EVENT)]
    incoming = seeded.get(f"/v1/events/{LINKED_EVENT}").json["links"]
    assert ("related", "incoming", EVENT) in [
        (link["kind"], link["direction"], link["event"]["id"]) for link in incoming
    ]

    cleared = writer.patch(path, {"alternative_dates": None, "links": None})
    assert cleared.status_code == 200, cleared.get_data(as_text=True)
    event = seeded.get(path).json
    assert event["alternative_dates"] == []
    assert event["disputed"] is False
    assert [link for link in event["links"] if link["direction"] == "outgoing"] == []


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_series_points_are_edited_through_the_series(
    seeded: FlaskClient, writer: Writer, method: str
) -> None:
    path = f"/v1/series/{SERIES}"
    series = seeded.get(path).json
    points = [point("2019", 5), point("2020", 8.5, note="Provisional.")]
    body: dict[str, Any] = {"points": points}
    if method == "PUT":
        body = {"title": series["title"], "unit": series["unit"], "points": points}
    response = (writer.put if method == "PUT" else writer.patch)(path, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = seeded.get(path).json["points"]
    assert sorted((p["period"], p["value"], p["note"]) for p in shown) == [
        ("2019", 5, "n"),
        ("2020", 8.5, "Provisional."),
    ]


# --- Deleting --------------------------------------------------------------------------------


def test_a_deleted_event_is_hidden_gone_and_restorable_by_an_admin(
    seeded: FlaskClient, writer: Writer, admin: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    actor = seeded.get(path).json["actors"][0]["id"]
    last_kept = history(seeded, path)[-1]["id"]
    assert writer.delete(path).status_code == 204

    gone = seeded.get(path)
    assert_refused(gone, 410)
    assert EVENT not in [event["id"] for event in seeded.get("/v1/events?limit=500").json["data"]]
    assert EVENT not in [
        e["id"] for e in seeded.get(f"/v1/actors/{actor}/events?limit=500").json["data"]
    ]

    restored = admin.restore(path, last_kept)
    assert restored.status_code == 200, restored.get_data(as_text=True)
    assert seeded.get(path).status_code == 200
    assert EVENT in [event["id"] for event in seeded.get("/v1/events?limit=500").json["data"]]
    assert [(r["action"], r["author"]) for r in history(seeded, path)[-2:]] == [
        ("delete", "desk"),
        ("restore", "chief"),
    ]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_deleted_event_cannot_be_written_until_restored(
    seeded: FlaskClient, writer: Writer, method: str
) -> None:
    path = f"/v1/events/{EVENT}"
    etag = writer.etag(path)
    assert writer.delete(path, etag).status_code == 204
    revisions = len(history(seeded, path))
    response = seeded.open(
        path, method=method, json=event_body(EVENT), headers={**writer.auth, "If-Match": etag}
    )
    assert_refused(response, 410)
    assert_refused(writer.post("/v1/events", event_body(EVENT)), 409)
    assert len(history(seeded, path)) == revisions


def test_a_deleted_event_no_longer_counts_for_its_actors_tags_and_type(
    seeded: FlaskClient, writer: Writer
) -> None:
    event = seeded.get(f"/v1/events/{EVENT}").json
    paths = [
        *(f"/v1/actors/{actor['id']}" for actor in event["actors"]),
        *(f"/v1/tags/{tag['id']}" for tag in event["tags"]),
        f"/v1/event-types/{event['type']['id']}",
    ]
    before = {path: seeded.get(path).json["event_count"] for path in paths}
    assert writer.delete(f"/v1/events/{EVENT}").status_code == 204
    after = {path: seeded.get(path).json["event_count"] for path in paths}
    assert after == {path: count - 1 for path, count in before.items()}


@pytest.mark.parametrize("name", [name for name, kind in KINDS.items() if kind.in_use])
def test_a_record_still_referred_to_cannot_be_deleted(
    seeded: FlaskClient, writer: Writer, name: str
) -> None:
    path = KINDS[name].url(KINDS[name].in_use)
    before = state(seeded, path)
    assert_refused(writer.delete(path), 409)
    assert state(seeded, path) == before


# --- If-Match --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_write_without_if_match_is_428_and_changes_nothing(
    seeded: FlaskClient, writer: Writer, name: str, method: str
) -> None:
    kind = KINDS[name]
    assert writer.post(kind.path, kind.new).status_code == 201
    before = state(seeded, kind.url())
    response = seeded.open(
        kind.url(), method=method, json={**kind.new, **kind.change}, headers=writer.auth
    )
    assert_refused(response, 428)
    assert state(seeded, kind.url()) == before


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_write_with_a_stale_etag_is_412_and_changes_nothing(
    seeded: FlaskClient, writer: Writer, name: str, method: str
) -> None:
    kind = KINDS[name]
    stale = writer.post(kind.path, kind.new).headers["ETag"]
    assert writer.patch(kind.url(), kind.change).status_code == 200
    before = state(seeded, kind.url())
    response = seeded.open(
        kind.url(), method=method, json=kind.new, headers={**writer.auth, "If-Match": stale}
    )
    assert_refused(response, 412)
    assert state(seeded, kind.url()) == before


@pytest.mark.parametrize(
    "if_match",
    ['"not-an-etag-of-it"', "not-even-quoted", "W/{current}"],
)
def test_an_etag_that_is_not_the_current_one_is_412(
    seeded: FlaskClient, writer: Writer, if_match: str
) -> None:
    path = f"/v1/events/{EVENT}"
    current = writer.etag(path)
    before = state(seeded, path)
    header = if_match.format(current=current)
    response = seeded.patch(
        path, json={"title": "Changed"}, headers={**writer.auth, "If-Match": header}
    )
    assert_refused(response, 412)
    assert state(seeded, path) == before


def test_the_etag_a_write_returns_is_good_for_the_next_write(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    first = writer.patch(path, {"importance": 1})
    assert first.status_code == 200
    second = writer.patch(path, {"importance": 2}, etag=first.headers["ETag"])
    assert second.status_code == 200, second.get_data(as_text=True)
    assert seeded.get(path).headers["ETag"] == second.headers["ETag"]


def test_of_two_editors_of_one_record_the_second_gets_412(
    seeded_app: Flask, seeded: FlaskClient, writer: Writer
) -> None:
    alice = writer
    bob = Writer(seeded_app.test_client(), make_token(seeded_app, "bob", "write"))
    path = f"/v1/events/{EVENT}"
    alice_saw, bob_saw = alice.etag(path), bob.etag(path)
    assert alice.patch(path, {"title": "Alice's title"}, etag=alice_saw).status_code == 200
    assert_refused(bob.patch(path, {"title": "Bob's title"}, etag=bob_saw), 412)
    assert seeded.get(path).json["title"] == "Alice's title"
    assert [r["author"] for r in history(seeded, path)[-1:]] == ["desk"]
    # Having read the record again, Bob may change it.
    assert bob.patch(path, {"title": "Bob's title"}).status_code == 200
    assert seeded.get(path).json["title"] == "Bob's title"


def test_of_two_editors_racing_on_a_live_server_exactly_one_wins(committed: Committed) -> None:
    committed.load(SMALL)
    path = "/v1/events/first-event"
    with committed.app() as app:
        editors = {name: make_token(app, name, "write") for name in ("alice", "bob")}
        with serving(app) as port:
            winners = [_race(port, path, editors, round) for round in range(5)]
            _status, _headers, event = send(port, "GET", path)
            assert event["title"] == f"{winners[-1]}'s title {4}"
            _status, _headers, revisions = send(port, "GET", f"{path}/history")
    updates = [r["author"] for r in revisions["data"] if r["action"] == "update"]
    assert updates == winners


def _race(port: int, path: str, editors: dict[str, str], round: int) -> str:
    """Both editors PATCH with the same ETag at once; the name of the one that won."""
    _status, headers, _body = send(port, "GET", path)
    start = threading.Barrier(len(editors), timeout=10)
    statuses: dict[str, int] = {}

    def edit(name: str) -> None:
        start.wait()
        statuses[name], _headers, _body = send(
            port,
            "PATCH",
            path,
            {"title": f"{name}'s title {round}"},
            {**bearer(editors[name]), "If-Match": headers["ETag"]},
        )

    threads = [threading.Thread(target=edit, args=(name,)) for name in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(statuses.values()) == [200, 412], statuses
    (winner,) = [name for name, status in statuses.items() if status == 200]
    _status, _headers, event = send(port, "GET", path)
    assert event["title"] == f"{winner}'s title {round}"
    return winner


# --- One transaction per write ---------------------------------------------------------------


@pytest.mark.parametrize(
    "patch",
    [
        pytest.param({"title": "A new title", "start": "2024-13"}, id="bad-date"),
        pytest.param({"title": "A new title", "end": "1999"}, id="end-before-start"),
        pytest.param({"title": "A new title", "type": "no-such-type"}, id="unknown-type"),
        pytest.param({"title": "A new title", "citations": []}, id="no-citation"),
        pytest.param({"title": "A new title", "colour": "red"}, id="unknown-field"),
    ],
)
def test_a_refused_patch_changes_nothing_not_even_its_valid_members(
    seeded: FlaskClient, writer: Writer, patch: dict[str, Any]
) -> None:
    path = f"/v1/events/{EVENT}"
    before = state(seeded, path)
    changes = seeded.get("/v1/changes").json["meta"]["total"]
    assert_refused(writer.patch(path, patch), 422)
    assert state(seeded, path) == before
    assert seeded.get("/v1/changes").json["meta"]["total"] == changes


@pytest.mark.parametrize(
    ("path", "patch"),
    [
        pytest.param(
            f"/v1/events/{EVENT}",
            {
                "title": "A new title",
                "actors": [
                    {"actor": "china", "role": "accused"},
                    {"actor": "china", "role": "accused"},
                ],
            },
            id="event-same-actor-role-twice",
        ),
        pytest.param(
            f"/v1/events/{EVENT}",
            {"title": "A new title", "links": [{"to": EVENT, "kind": "related"}]},
            id="event-linked-to-itself",
        ),
        pytest.param(
            f"/v1/series/{SERIES}",
            {"title": "A new title", "points": [point("2024", 1), point("2024", 2)]},
            id="series-same-period-twice",
        ),
    ],
)
def test_a_write_the_database_refuses_halfway_leaves_no_trace(
    seeded: FlaskClient, writer: Writer, path: str, patch: dict[str, Any]
) -> None:
    before = state(seeded, path)
    changes = seeded.get("/v1/changes").json["meta"]["total"]
    response = writer.patch(path, patch)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert state(seeded, path) == before
    assert seeded.get("/v1/changes").json["meta"]["total"] == changes
    assert writer.patch(path, {"title": "Still writable"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"id": "x"}', "text/plain", 415),
        ("[]", "application/json", 400),
        ("[{}]", "application/json", 400),
    ],
)
def test_a_post_body_that_is_not_a_json_object_is_refused(
    seeded: FlaskClient, writer: Writer, body: str, content_type: str, status: int
) -> None:
    before = seeded.get("/v1/events?limit=500").json["meta"]["total"]
    response = seeded.post("/v1/events", data=body, content_type=content_type, headers=writer.auth)
    assert_refused(response, status)
    assert seeded.get("/v1/events?limit=500").json["meta"]["total"] == before


def test_if_match_star_is_not_enough_to_change_a_record(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    before = state(seeded, path)
    response = seeded.patch(path, json={"title": "Blind"}, headers={**writer.auth, "If-Match": "*"})
    assert_refused(response, 428)
    assert state(seeded, path) == before
