"""POST /v1/import: an admin loads a whole file over HTTP, all or nothing."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import BASICS
from tests.editing import (
    BROKEN,
    BROKEN_PLACES,
    BROKEN_ROWS,
    MEDIA,
    REFUSED_BY_THE_TABLES,
    SMALL,
    SMALL_ROWS,
    Tokens,
    Writer,
    app_rows,
    app_with,
    as_format,
    bearer,
    empty_tokens,
    history,
    importer,
    load_into,
    make_token,
    point,
    small_app,
)


def post_file(
    writer: Writer, text: str, fmt: str, dry_run: bool | None = None, **headers: str
) -> TestResponse:
    query = {} if dry_run is None else {"dry_run": str(dry_run).lower()}
    return writer.client.post(
        "/v1/import",
        data=text.encode(),
        content_type=MEDIA[fmt],
        query_string=query,
        headers={**writer.auth, **headers},
    )


@pytest.fixture
def lookups_only(app: Flask, client: FlaskClient, empty_tokens: Tokens) -> Writer:
    """An admin of an app holding SMALL's lookups but none of its events."""
    load_into(app, BASICS)
    return Writer(client, empty_tokens.admin)


@pytest.mark.parametrize("fmt", MEDIA)
def test_an_admin_imports_a_file_in_each_format(lookups_only: Writer, fmt: str) -> None:
    response = post_file(lookups_only, as_format(fmt, SMALL, SMALL_ROWS), fmt)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["dry_run"] is False
    assert response.json["created"] == {"events": 2}
    assert response.json["updated"] == {}
    client = lookups_only.client
    first = client.get("/v1/events/first-event").json
    assert (first["start"], first["end"], [tag["id"] for tag in first["tags"]]) == (
        "2022",
        "2023",
        ["red"],
    )
    assert [(a["id"], a["role"]) for a in first["actors"]] == [("agency-a", "accuser")]
    second = client.get("/v1/events/second-event").json
    assert [(link["kind"], link["event"]["id"]) for link in second["links"]] == [
        ("follows", "first-event")
    ]
    assert [(r["action"], r["author"]) for r in history(client, "/v1/events/first-event")] == [
        ("create", "chief")
    ]


@pytest.mark.parametrize("fmt", MEDIA)
def test_importing_the_same_file_again_changes_nothing(importer: Writer, fmt: str) -> None:
    client = importer.client
    before = client.get("/v1/changes").json["meta"]["total"]
    etag = client.get("/v1/events/second-event").headers["ETag"]
    response = post_file(importer, as_format(fmt, SMALL, SMALL_ROWS), fmt)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.json["created"], response.json["updated"]) == ({}, {})
    assert response.json["unchanged"]["events"] == 2
    assert client.get("/v1/changes").json["meta"]["total"] == before
    assert client.get("/v1/events/second-event").headers["ETag"] == etag


@pytest.mark.parametrize("fmt", MEDIA)
def test_an_import_updates_records_by_id(importer: Writer, fmt: str) -> None:
    data = {**SMALL, "events": [{**SMALL["events"][0], "title": "Retitled"}]}
    rows = [{**SMALL_ROWS[0], "title": "Retitled"}]
    response = post_file(importer, as_format(fmt, data, rows), fmt)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["updated"] == {"events": 1}
    assert importer.client.get("/v1/events/first-event").json["title"] == "Retitled"
    revision = history(importer.client, "/v1/events/first-event")[-1]
    assert (revision["action"], revision["author"], revision["after"]["title"]) == (
        "update",
        "chief",
        "Retitled",
    )


@pytest.mark.parametrize("fmt", MEDIA)
def test_a_dry_run_reports_what_would_change_and_writes_nothing(
    app: Flask, lookups_only: Writer, fmt: str
) -> None:
    before = app_rows(app)
    response = post_file(lookups_only, as_format(fmt, SMALL, SMALL_ROWS), fmt, dry_run=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["dry_run"] is True
    assert response.json["created"] == {"events": 2}
    assert app_rows(app) == before
    assert lookups_only.client.get("/v1/events/first-event").status_code == 404


@pytest.mark.parametrize("dry_run", [None, True])
@pytest.mark.parametrize("fmt", MEDIA)
def test_a_file_with_problems_is_refused_whole_listing_each_with_its_place(
    small_app: Flask, importer: Writer, fmt: str, dry_run: bool | None
) -> None:
    before = app_rows(small_app)
    response = post_file(importer, as_format(fmt, BROKEN, BROKEN_ROWS), fmt, dry_run=dry_run)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    found = {(error.get("at"), error["pointer"]) for error in response.json["errors"]}
    assert found == set(BROKEN_PLACES[fmt])
    assert all(error["detail"] for error in response.json["errors"])
    assert app_rows(small_app) == before


@pytest.mark.parametrize(
    ("fmt", "text", "place"),
    [
        ("ndjson", '{"tags": {"id": "green", "name": "Green"}}\n\n{"tags": {"id": \n', "line 3"),
        ("ndjson", '{"tags": {"id": "green", "name": "Green"}}\n["tags"]\n', "line 2"),
        ("ndjson", '{"colours": {"id": "green"}}\n', "line 1"),
        ("csv", "id,title,colour\nx,y,z\n", "row 1"),
        ("json", '{"tags": [', "line 1"),
        ("json", '{"tags": [\n  {"id": "green", "name": "Green"},\n  {"id": ]}', "line 3"),
        ("yaml", "tags:\n- id: green\n  name: [Green\n", "line 4"),
    ],
    ids=[
        "broken-line",
        "not-a-mapping",
        "unknown-list",
        "csv-columns",
        "broken-json",
        "broken-json-later",
        "broken-yaml",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_saying_where(
    small_app: Flask, importer: Writer, fmt: str, text: str, place: str | None
) -> None:
    before = app_rows(small_app)
    response = post_file(importer, text, fmt)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [error.get("at") for error in response.json["errors"]] == [place]
    assert app_rows(small_app) == before


@pytest.mark.parametrize(("data", "pointer"), REFUSED_BY_THE_TABLES)
def test_a_file_the_database_would_refuse_is_a_422_naming_the_member(
    small_app: Flask, importer: Writer, data: dict[str, Any], pointer: str
) -> None:
    before = app_rows(small_app)
    response = post_file(importer, json.dumps(data), "json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [error["pointer"] for error in response.json["errors"]] == [pointer]
    assert app_rows(small_app) == before


@pytest.mark.parametrize(("scope", "status"), [(None, 401), ("read", 403), ("write", 403)])
def test_only_an_admin_may_import(
    small_app: Flask, client: FlaskClient, empty_tokens: Tokens, scope: str | None, status: int
) -> None:
    before = app_rows(small_app)
    response = client.post(
        "/v1/import",
        data=json.dumps({"tags": [{"id": "green", "name": "Green"}]}),
        content_type="application/json",
        headers=empty_tokens.header(scope) if scope else {},
    )
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert app_rows(small_app) == before


def test_a_body_of_another_type_is_415(small_app: Flask, importer: Writer) -> None:
    before = app_rows(small_app)
    response = importer.client.post(
        "/v1/import", data="<tags/>", content_type="application/xml", headers=importer.auth
    )
    assert response.status_code == 415, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert app_rows(small_app) == before


def test_a_body_over_the_size_limit_is_413_and_one_under_it_is_read(
    app_with: Callable[..., Flask],
) -> None:
    limited = app_with("empty", MAX_CONTENT_LENGTH=1000)
    admin = Writer(limited.test_client(), make_token(limited, "chief", "admin"))
    tags = [{"id": f"tag-{n}", "name": f"Tag number {n}"} for n in range(40)]
    large = json.dumps({"tags": tags})
    assert len(large.encode()) > 1000
    before = app_rows(limited)
    response = post_file(admin, large, "json")
    assert response.status_code == 413, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "timeline-api import" in response.json["detail"]  # the way for large files
    assert app_rows(limited) == before

    small = json.dumps({"tags": tags[:5]})
    assert len(small.encode()) < 1000
    response = post_file(admin, small, "json")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["created"] == {"tags": 5}
