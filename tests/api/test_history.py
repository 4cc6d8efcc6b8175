"""History: every change kept as a revision, restorable by admins, and the feed of all changes."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.editing import (
    EVENT,
    KINDS,
    Tokens,
    Writer,
    admin,
    changes,
    history,
    tokens,
    writer,
)


def without_time(body: Any) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "updated_at"}


def last_change_id(client: FlaskClient) -> int:
    return int(changes(client)[-1]["id"])


# --- One record's history --------------------------------------------------------------------


def test_history_keeps_who_changed_what_when_with_the_record_before_and_after(
    seeded: FlaskClient, writer: Writer, admin: Writer
) -> None:
    path = "/v1/tags/new-tag"
    started = datetime.now(UTC)
    assert writer.post("/v1/tags", {"id": "new-tag", "name": "New"}).status_code == 201
    assert writer.patch(path, {"description": "What it covers."}).status_code == 200
    assert admin.patch(path, {"name": "Renamed"}).status_code == 200
    assert writer.delete(path).status_code == 204
    finished = datetime.now(UTC)

    revisions = history(seeded, path)
    assert [(r["action"], r["author"]) for r in revisions] == [
        ("create", "desk"),
        ("update", "desk"),
        ("update", "chief"),
        ("delete", "desk"),
    ]
    assert [(r["before"], r["after"]) for r in revisions] == [
        (None, {"id": "new-tag", "name": "New"}),
        (
            {"id": "new-tag", "name": "New"},
            {"id": "new-tag", "name": "New", "description": "What it covers."},
        ),
        (
            {"id": "new-tag", "name": "New", "description": "What it covers."},
            {"id": "new-tag", "name": "Renamed", "description": "What it covers."},
        ),
        ({"id": "new-tag", "name": "Renamed", "description": "What it covers."}, None),
    ]
    assert {(r["record_type"], r["record_id"]) for r in revisions} == {("tags", "new-tag")}
    moments = [datetime.fromisoformat(r["at"]) for r in revisions]
    assert moments == sorted(moments)
    assert started <= moments[0] and moments[-1] <= finished
    ids = [r["id"] for r in revisions]
    assert ids == sorted(set(ids))


def test_an_event_history_shows_its_seed_revision_then_each_edit(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    original = history(seeded, path)
    assert [r["action"] for r in original] == ["create"]
    assert writer.patch(path, {"importance": 1}).status_code == 200
    revisions = history(seeded, path)
    assert revisions[:-1] == original
    assert revisions[-1]["before"] == original[-1]["after"]
    assert revisions[-1]["after"] == {**original[-1]["after"], "importance": 1}


# --- Restoring -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
def test_an_admin_restores_a_revision_and_that_is_a_new_revision(
    seeded: FlaskClient, writer: Writer, admin: Writer, name: str
) -> None:
    kind = KINDS[name]
    created = writer.post(kind.path, kind.new)
    assert created.status_code == 201
    assert writer.patch(kind.url(), kind.change).status_code == 200
    first, changed = history(seeded, kind.url())

    restored = admin.restore(kind.url(), first["id"])
    assert restored.status_code == 200, restored.get_data(as_text=True)
    assert without_time(seeded.get(kind.url()).json) == without_time(created.json)
    assert restored.headers["ETag"] == seeded.get(kind.url()).headers["ETag"]
    last = history(seeded, kind.url())[-1]
    assert (last["action"], last["author"]) == ("restore", "chief")
    assert (last["before"], last["after"]) == (changed["after"], first["after"])


@pytest.mark.parametrize("name", [name for name in KINDS if name != "events"])
def test_restoring_brings_back_a_deleted_record(
    seeded: FlaskClient, writer: Writer, admin: Writer, name: str
) -> None:
    kind = KINDS[name]
    created = writer.post(kind.path, kind.new)
    assert writer.delete(kind.url()).status_code == 204
    assert seeded.get(kind.url()).status_code == 404
    first = history(seeded, kind.url())[0]
    assert admin.restore(kind.url(), first["id"]).status_code == 200
    assert without_time(seeded.get(kind.url()).json) == without_time(created.json)


@pytest.mark.parametrize(("scope", "status"), [(None, 401), ("read", 403), ("write", 403)])
def test_only_an_admin_may_restore(
    seeded: FlaskClient, writer: Writer, tokens: Tokens, scope: str | None, status: int
) -> None:
    path = f"/v1/events/{EVENT}"
    first = history(seeded, path)[0]
    assert writer.patch(path, {"title": "Changed"}).status_code == 200
    before = history(seeded, path)
    headers = tokens.header(scope) if scope else {}
    response = seeded.post(f"{path}/history/{first['id']}/restore", headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert seeded.get(path).json["title"] == "Changed"
    assert history(seeded, path) == before


def test_restoring_the_revision_that_deleted_a_record_is_409(
    seeded: FlaskClient, writer: Writer, admin: Writer
) -> None:
    assert writer.post("/v1/tags", {"id": "new-tag", "name": "New"}).status_code == 201
    assert writer.delete("/v1/tags/new-tag").status_code == 204
    deletion = history(seeded, "/v1/tags/new-tag")[-1]
    response = admin.restore("/v1/tags/new-tag", deletion["id"])
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert seeded.get("/v1/tags/new-tag").status_code == 404


def test_a_revision_of_another_record_or_none_at_all_is_404(
    seeded: FlaskClient, admin: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    before = history(seeded, path)
    elsewhere = history(seeded, "/v1/tags/cyber")[0]["id"]
    for revision in (elsewhere, 10_000_000):
        response = admin.restore(path, revision)
        assert response.status_code == 404, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"
    assert history(seeded, path) == before


# --- The feed of every change ----------------------------------------------------------------


def test_changes_since_an_id_are_what_was_created_updated_and_deleted_after_it_in_order(
    seeded: FlaskClient, writer: Writer
) -> None:
    since = last_change_id(seeded)
    assert writer.post("/v1/tags", {"id": "new-tag", "name": "New"}).status_code == 201
    assert writer.patch(f"/v1/events/{EVENT}", {"importance": 1}).status_code == 200
    assert writer.delete("/v1/tags/new-tag").status_code == 204
    found = changes(seeded, since=since)
    assert [(c["action"], c["record_type"], c["record_id"]) for c in found] == [
        ("create", "tags", "new-tag"),
        ("update", "events", EVENT),
        ("delete", "tags", "new-tag"),
    ]
    assert [c["id"] for c in found] == sorted(c["id"] for c in found)
    assert all(c["id"] > since for c in found)
    assert changes(seeded, since=found[-1]["id"]) == []


@pytest.mark.parametrize(
    "zone",
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7))],
    ids=["utc", "plus-0530", "minus-0700"],
)
def test_changes_since_a_moment_are_those_made_after_it_in_any_time_zone(
    seeded: FlaskClient, writer: Writer, zone: timezone
) -> None:
    seeded_at = datetime.fromisoformat(changes(seeded)[-1]["at"])
    assert writer.patch(f"/v1/events/{EVENT}", {"importance": 1}).status_code == 200
    assert writer.post("/v1/tags", {"id": "new-tag", "name": "New"}).status_code == 201
    found = changes(seeded, since=seeded_at.astimezone(zone).isoformat())
    assert [(c["record_type"], c["record_id"]) for c in found] == [
        ("events", EVENT),
        ("tags", "new-tag"),
    ]


def test_since_may_be_given_with_a_z(seeded: FlaskClient, writer: Writer) -> None:
    seeded_at = datetime.fromisoformat(changes(seeded)[-1]["at"])
    assert writer.patch(f"/v1/events/{EVENT}", {"importance": 1}).status_code == 200
    moment = seeded_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert [c["record_id"] for c in changes(seeded, since=moment)] == [EVENT]


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_following_next_links_gives_every_change_once_in_order(
    seeded: FlaskClient, writer: Writer, limit: int
) -> None:
    assert writer.patch(f"/v1/events/{EVENT}", {"importance": 1}).status_code == 200
    total = seeded.get("/v1/changes").json["meta"]["total"]
    found = changes(seeded, limit=limit)
    ids = [c["id"] for c in found]
    assert len(ids) == total
    assert ids == sorted(set(ids))
    assert found[-1]["record_id"] == EVENT
    since = ids[-5]
    assert [c["id"] for c in changes(seeded, since=since, limit=2)] == ids[-4:]


@pytest.mark.parametrize(
    "since",
    ["yesterday", "2025-13-01T00:00:00Z", "2025-06-01T10:00:00", "", "-5", "1.5", "12abc"],
)
def test_a_bad_since_is_400_naming_it(seeded: FlaskClient, since: str) -> None:
    response = seeded.get("/v1/changes", query_string={"since": since})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert [error["parameter"] for error in response.json["errors"]] == ["since"]
