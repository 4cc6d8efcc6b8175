"""Hostile or absurd input (issue 12): every case is a 4xx problem naming what is wrong, never a
500, and nothing is written."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from tests.editing import (
    EVENT,
    MEDIA,
    Tokens,
    Writer,
    admin,
    app_rows,
    app_with,
    bearer,
    empty_tokens,
    event_body,
    importer,
    make_token,
    serving,
    small_app,
    tokens,
    writer,
)
from timeline_api.models import Event


def assert_problem(response: TestResponse, status: int, **named: str) -> None:
    """A problem answer with `status`; `named` (parameter=..., pointer=...) is its first error."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    assert response.json["detail"]
    if named:
        [(member, value)] = named.items()
        assert response.json["errors"][0][member] == value, response.json


def post_raw(writer: Writer, path: str, text: str, media: str = "application/json") -> Any:
    return writer.client.post(
        path, data=text.encode("utf-8", "surrogatepass"), content_type=media, headers=writer.auth
    )


# --- The changes feed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "since",
    [
        "99999999999999999999",  # past BIGINT
        "0001-01-01T00:00:00+14:00",  # year 0 in UTC
        "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
    ],
)
def test_a_since_no_database_can_compare_is_a_400_naming_it(
    client: FlaskClient, since: str
) -> None:
    assert_problem(client.get("/v1/changes", query_string={"since": since}), 400, parameter="since")


def test_the_largest_change_id_is_still_a_change_id(client: FlaskClient) -> None:
    response = client.get("/v1/changes", query_string={"since": str(2**63 - 1)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["data"] == []


def test_a_cursor_nested_too_deeply_is_a_400_naming_it(client: FlaskClient) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 100_000).decode().rstrip("=")
    response = client.get("/v1/changes", query_string={"cursor": cursor})
    assert_problem(response, 400, parameter="cursor")


def test_restoring_a_revision_past_the_largest_id_is_a_404(admin: Writer) -> None:
    response = admin.restore(f"/v1/events/{EVENT}", 2**63)
    assert_problem(response, 404)


# --- Bodies of the write endpoints -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"links": [{"to": "x", "kind": {}}]}, "/links/0/kind"),
        ({"actors": [{"actor": "china", "role": []}]}, "/actors/0/role"),
        ({"links": [{"to": ["a"], "kind": "follows"}]}, "/links/0/to"),
    ],
)
def test_a_member_of_the_wrong_shape_is_a_422_pointing_at_it(
    seeded: FlaskClient, writer: Writer, fields: dict[str, Any], pointer: str
) -> None:
    response = writer.post("/v1/events", event_body("odd-shapes", **fields))
    assert_problem(response, 422, pointer=pointer)
    assert seeded.get("/v1/events/odd-shapes").status_code == 404


def test_a_lone_surrogate_is_a_422_pointing_at_it(seeded: FlaskClient, writer: Writer) -> None:
    body = json.dumps(event_body("surrogate", title="a\ud800b"))  # escaped: "a\\ud800b"
    assert "\\ud800" in body
    assert_problem(post_raw(writer, "/v1/events", body), 422, pointer="/title")
    assert seeded.get("/v1/events/surrogate").status_code == 404


def test_a_surrogate_pair_is_one_character_and_stored(seeded: FlaskClient, writer: Writer) -> None:
    body = json.dumps(event_body("pair", title="Cipher \U0001f510"))  # "\\ud83d\\udd10"
    assert "\\ud83d\\udd10" in body
    assert post_raw(writer, "/v1/events", body).status_code == 201
    assert seeded.get("/v1/events/pair").json["title"] == "Cipher \U0001f510"


def test_json_nested_too_deeply_is_a_400(seeded: FlaskClient, writer: Writer) -> None:
    body = '{"id": "deep", "title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = post_raw(writer, "/v1/events", body)
    assert_problem(response, 400)
    assert "nested too deeply" in response.json["detail"]


def test_a_document_name_too_long_for_a_file_system_is_a_422(
    seeded: FlaskClient, writer: Writer
) -> None:
    body = {"id": "long-name", "publisher": "P", "title": "T", "document": "a" * 300 + ".txt"}
    assert_problem(writer.post("/v1/sources", body), 422, pointer="/document")
    assert seeded.get("/v1/sources/long-name").status_code == 404


# --- Limits on every string and list (documented as maxLength / maxItems) -------------------

ACTOR = {"id": "an-actor", "name": "An actor", "kind": "agency"}
SOURCE = {"id": "a-source", "publisher": "P", "title": "T"}
TAG = {"id": "a-tag", "name": "A tag"}
CITED = {"source": "focustaiwan-icefcom-bounty-2025-06-05", "note": "n"}
SERIES = {"id": "a-series", "title": "T", "unit": "people"}
POINT = {"source": "focustaiwan-icefcom-bounty-2025-06-05", "note": "n", "value": 1}
OVER_THE_LIMITS = [
    ("/v1/events", event_body("big", text="x" * 20_001), "/text"),
    ("/v1/events", event_body("big", summary="x" * 2_001), "/summary"),
    ("/v1/events", event_body("big", date_note="x" * 1_001), "/date_note"),
    ("/v1/events", event_body("big", tags=["cyber"] * 101), "/tags"),
    ("/v1/events", event_body("big", citations=[CITED] * 101), "/citations"),
    (
        "/v1/events",
        event_body("big", citations=[{**CITED, "note": "x" * 1_001}]),
        "/citations/0/note",
    ),
    (
        "/v1/events",
        event_body("big", citations=[{**CITED, "quote": "x" * 2_001}]),
        "/citations/0/quote",
    ),
    ("/v1/actors", {**ACTOR, "aliases": [f"alias {n}" for n in range(101)]}, "/aliases"),
    ("/v1/actors", {**ACTOR, "description": "x" * 2_001}, "/description"),
    ("/v1/sources", {**SOURCE, "description": "x" * 2_001}, "/description"),
    ("/v1/tags", {**TAG, "description": "x" * 2_001}, "/description"),
    (
        "/v1/series",
        {
            **SERIES,
            "points": [
                {**POINT, "period": f"{1000 + n // 12}-{n % 12 + 1:02}"} for n in range(10_001)
            ],
        },
        "/points",
    ),
]


@pytest.mark.parametrize(("path", "body", "pointer"), OVER_THE_LIMITS)
def test_a_string_or_list_over_its_limit_is_a_422_naming_it(
    seeded: FlaskClient, writer: Writer, path: str, body: dict[str, Any], pointer: str
) -> None:
    response = writer.post(path, body)
    assert_problem(response, 422, pointer=pointer)
    assert seeded.get(f"{path}/{body['id']}").status_code == 404


def test_the_limits_are_in_the_openapi_document(seeded: FlaskClient) -> None:
    schemas = seeded.get("/openapi.json").json["components"]["schemas"]
    event = schemas["EventItem"]["properties"]
    assert event["text"]["maxLength"] == 20_000
    assert event["tags"]["maxItems"] == 100
    assert schemas["ActorItem"]["properties"]["aliases"]["maxItems"] == 100


def test_a_text_at_its_limit_is_stored_and_found_with_a_snippet(
    seeded: FlaskClient, writer: Writer
) -> None:
    text = "filler " * 2_850 + "zanzibarite"
    assert len(text) <= 20_000
    assert writer.post("/v1/events", event_body("long-text", text=text)).status_code == 201
    found = seeded.get("/v1/events", query_string={"q": "zanzibarite"})
    assert [item["id"] for item in found.json["data"]] == ["long-text"]
    assert "<mark>zanzibarite</mark>" in found.json["data"][0]["snippet"]


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("/v1/tags", {"id": "cyber\n", "name": "Cyber again"}, "/id"),
        ("/v1/events", event_body("new-event\n"), "/id"),
        ("/v1/events", event_body("tagged", tags=["cyber\n"]), "/tags/0"),
        ("/v1/actors", {**ACTOR, "country": "TW\n"}, "/country"),
    ],
)
def test_an_id_ending_in_a_newline_is_a_422(
    seeded: FlaskClient, writer: Writer, path: str, body: dict[str, Any], pointer: str
) -> None:
    before = seeded.get(path, query_string={"limit": 500}).json["meta"]
    assert_problem(writer.post(path, body), 422, pointer=pointer)
    assert seeded.get(path, query_string={"limit": 500}).json["meta"] == before


# --- Files given to /v1/import ---------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE_FILES = [
    pytest.param("json", '{"tags": [{"id": "t", "name": ' + DEEP + "}]}", id="json-deep"),
    pytest.param("ndjson", '{"tags": {"id": "t", "name": ' + DEEP + "}}\n", id="ndjson-deep"),
    pytest.param("yaml", "tags:\n- id: t\n  name: " + DEEP + "\n", id="yaml-deep"),
    pytest.param("json", '{"tags": [{"id": "t", "name": "a\\ud800"}]}', id="json-surrogate"),
    pytest.param("ndjson", '{"tags": {"id": "t", "name": "a\\udfff"}}\n', id="ndjson-surrogate"),
    pytest.param("yaml", 'tags:\n- id: t\n  name: "a\\ud800"\n', id="yaml-surrogate"),
]


@pytest.mark.parametrize(("fmt", "text"), HOSTILE_FILES)
def test_a_hostile_file_is_refused_whole_and_nothing_is_written(
    small_app: Flask, importer: Writer, fmt: str, text: str
) -> None:
    before = app_rows(small_app)
    response = post_raw(importer, "/v1/import", text, MEDIA[fmt])
    assert_problem(response, 422)
    assert app_rows(small_app) == before


# --- Bodies over MAX_CONTENT_LENGTH, sized or chunked ----------------------------------------

LIMIT = 1000


def send_chunked(port: int, path: str, data: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    """POST `data` in chunks of 100 bytes with no Content-Length, as a streaming client does."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        chunks = (data[start : start + 100] for start in range(0, len(data), 100))
        connection.request("POST", path, body=chunks, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def tags_file(count: int) -> bytes:
    """NDJSON: cut anywhere between lines, it would still be a valid file of fewer tags."""
    tags = ({"tags": {"id": f"tag-{n}", "name": f"Tag number {n}"}} for n in range(count))
    return "".join(json.dumps(tag) + "\n" for tag in tags).encode()


@pytest.mark.parametrize(("count", "status"), [(40, 413), (10, 200)])
def test_a_chunked_import_over_the_limit_is_413_and_writes_nothing(
    app_with: Callable[..., Flask], count: int, status: int
) -> None:
    limited = app_with("empty", MAX_CONTENT_LENGTH=LIMIT)
    token = make_token(limited, "chief", "admin")
    data = tags_file(count)
    assert (len(data) > LIMIT) is (status == 413)
    before = app_rows(limited)
    with serving(limited) as port:
        headers = {**bearer(token), "Content-Type": MEDIA["ndjson"]}
        got, body = send_chunked(port, "/v1/import", data, headers)
    assert got == status, body
    if status == 413:
        assert body["status"] == 413
        assert f"{LIMIT:,} bytes" in body["detail"]
        assert app_rows(limited) == before
    else:
        assert body["created"] == {"tags": count}


def test_a_chunked_body_of_exactly_the_limit_is_read(app_with: Callable[..., Flask]) -> None:
    data = tags_file(5)
    limited = app_with("empty", MAX_CONTENT_LENGTH=len(data))
    token = make_token(limited, "chief", "admin")
    with serving(limited) as port:
        headers = {**bearer(token), "Content-Type": MEDIA["ndjson"]}
        got, body = send_chunked(port, "/v1/import", data, headers)
    assert got == 200, body
    assert body["created"] == {"tags": 5}


def test_a_chunked_record_over_the_limit_is_413_and_not_stored(
    app_with: Callable[..., Flask],
) -> None:
    limited = app_with("empty", MAX_CONTENT_LENGTH=LIMIT)
    token = make_token(limited, "desk", "write")
    data = json.dumps({"id": "long", "name": "Long", "description": "x" * LIMIT}).encode()
    with serving(limited) as port:
        headers = {**bearer(token), "Content-Type": "application/json"}
        got, body = send_chunked(port, "/v1/tags", data, headers)
    assert got == 413, body
    assert limited.test_client().get("/v1/tags/long").status_code == 404


# --- The smaller findings ----------------------------------------------------------------------


def test_a_link_to_a_deleted_event_is_a_422(seeded: FlaskClient, writer: Writer) -> None:
    assert writer.post("/v1/events", event_body("soon-gone")).status_code == 201
    assert writer.delete("/v1/events/soon-gone").status_code == 204
    body = event_body("linker", links=[{"to": "soon-gone", "kind": "related"}])
    response = writer.post("/v1/events", body)
    assert_problem(response, 422, pointer="/links/0/to")
    assert seeded.get("/v1/events/linker").status_code == 404


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_change_that_changes_nothing_writes_no_revision(
    seeded: FlaskClient, writer: Writer, method: str
) -> None:
    path = f"/v1/events/{EVENT}"
    before = seeded.get(path)
    revisions = seeded.get(f"{path}/history").json["meta"]["count"]
    body = (
        {"title": before.json["title"]}
        if method == "patch"
        else writer.client.get(f"{path}/history", query_string={"limit": 100}).json["data"][-1][
            "after"
        ]
    )
    response = getattr(writer, method)(path, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["ETag"] == before.headers["ETag"]
    assert seeded.get(f"{path}/history").json["meta"]["count"] == revisions


@pytest.mark.parametrize("path", ["/v1/tags", "/v1/import"])
def test_a_body_in_another_charset_is_a_415(seeded: FlaskClient, tokens: Tokens, path: str) -> None:
    response = seeded.post(
        path,
        data='{"tags": [{"id": "cafe", "name": "Caf\xe9"}]}'.encode("latin-1"),
        content_type="application/json; charset=latin-1",
        headers=tokens.header("admin"),
    )
    assert_problem(response, 415)
    assert "UTF-8" in response.json["detail"]
    assert seeded.get("/v1/tags/cafe").status_code == 404


def test_a_body_declared_utf8_is_read(seeded: FlaskClient, writer: Writer) -> None:
    response = writer.client.post(
        "/v1/tags",
        data='{"id": "cafe", "name": "Caf\xe9"}'.encode(),
        content_type="application/json; charset=UTF-8",
        headers=writer.auth,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert seeded.get("/v1/tags/cafe").json["name"] == "Caf\xe9"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/events?limit=1&limit=2", "limit"),
        ("/v1/events?q=spy&q=army", "q"),
        ("/v1/changes?since=1&since=2", "since"),
    ],
)
def test_a_single_parameter_given_twice_is_a_400_naming_it(
    client: FlaskClient, path: str, parameter: str
) -> None:
    assert_problem(client.get(path), 400, parameter=parameter)


def test_a_list_parameter_may_still_be_repeated(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/events?tag=cyber&tag=russia-china")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_text_stored_before_the_limits_can_be_shortened(
    seeded_app: Flask, seeded: FlaskClient, writer: Writer
) -> None:
    with seeded_app.extensions["db_sessions"]() as session:
        event = session.scalar(select(Event).where(Event.slug == EVENT))
        assert event is not None
        event.text = "An old, long text. " * 2_000  # 38,000 characters, stored before 20,000
        session.commit()
    response = writer.patch(f"/v1/events/{EVENT}", {"text": "A short text."})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert seeded.get(f"/v1/events/{EVENT}").json["text"] == "A short text."


def test_a_problem_echoing_a_lone_surrogate_is_still_json(
    seeded: FlaskClient, writer: Writer
) -> None:
    body = json.dumps({"id": "odd", "name": "Odd", "\ud800": 1})  # an unknown member, named
    response = post_raw(writer, "/v1/tags", body)
    assert_problem(response, 422, pointer="/\ud800")
