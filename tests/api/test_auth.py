"""API tokens: made and revoked on the command line, sent as `Authorization: Bearer` on writes."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.editing import (
    EVENT,
    KINDS,
    TOKEN_NAMES,
    Committed,
    Tokens,
    app_with,
    bearer,
    committed,
    committed_urls,
    history,
    make_token,
    make_tokens,
    revoke_token,
    tokens,
)

NEW_TAG = {"id": "new-tag", "name": "New tag"}

# Every endpoint that changes data: (method, path).
WRITE_ENDPOINTS = [
    *(("POST", kind.path) for kind in KINDS.values()),
    *(
        (method, f"{kind.path}/{id}")
        for kind, id in (
            (KINDS["events"], EVENT),
            (KINDS["actors"], "china"),
            (KINDS["sources"], "intelnews-taiwan-soldiers-jailed-2025"),
            (KINDS["tags"], "cyber"),
            (KINDS["event-types"], "arrest"),
            (KINDS["series"], "tw-nsb-chinese-espionage-prosecutions"),
        )
        for method in ("PUT", "PATCH", "DELETE")
    ),
    ("POST", f"/v1/events/{EVENT}/history/1/restore"),
    ("POST", "/v1/tags/cyber/history/1/restore"),
    ("POST", "/v1/import"),
]


def assert_unauthenticated(response: Any) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401
    assert response.json["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
def test_every_write_without_a_token_is_401_with_a_bearer_challenge(
    seeded: FlaskClient, method: str, path: str
) -> None:
    response = seeded.open(path, method=method, json={}, headers={"If-Match": "*"})
    assert_unauthenticated(response)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Basic ZGVzazpzZWNyZXQ=", id="another-scheme"),
        pytest.param("Bearer", id="no-token"),
        pytest.param("Bearer    ", id="blank-token"),
        pytest.param("Bearer two words", id="two-tokens"),
        pytest.param("tl_abcdef", id="no-scheme"),
        pytest.param("Bearer tl_not-a-token-anyone-was-given", id="unknown-token"),
    ],
)
def test_a_malformed_or_unknown_token_is_401_and_writes_nothing(
    seeded: FlaskClient, tokens: Tokens, authorization: str
) -> None:
    response = seeded.post("/v1/tags", json=NEW_TAG, headers={"Authorization": authorization})
    assert_unauthenticated(response)
    assert seeded.get("/v1/tags/new-tag").status_code == 404


def test_a_revoked_token_is_401(seeded_app: Flask, seeded: FlaskClient, tokens: Tokens) -> None:
    assert seeded.post("/v1/tags", json=NEW_TAG, headers=tokens.header("write")).status_code == 201
    revoke_token(seeded_app, TOKEN_NAMES["write"])
    response = seeded.post(
        "/v1/tags", json={"id": "other-tag", "name": "Other"}, headers=tokens.header("write")
    )
    assert_unauthenticated(response)
    assert "revoked" in response.json["detail"]
    assert seeded.get("/v1/tags/other-tag").status_code == 404


@pytest.mark.parametrize(
    ("scope", "method", "path", "body"),
    [
        ("read", "POST", "/v1/tags", NEW_TAG),
        ("read", "PATCH", "/v1/tags/cyber", {"name": "Cyber!"}),
        ("read", "DELETE", f"/v1/events/{EVENT}", None),
        ("write", "POST", f"/v1/events/{EVENT}/history/1/restore", None),
        ("write", "POST", "/v1/import", {}),
    ],
)
def test_a_token_without_the_scope_is_403(
    seeded: FlaskClient, tokens: Tokens, scope: str, method: str, path: str, body: Any
) -> None:
    before = seeded.get("/v1/changes").json["meta"]["total"]
    response = seeded.open(
        path, method=method, json=body, headers={**tokens.header(scope), "If-Match": "*"}
    )
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert scope in response.json["detail"]
    assert seeded.get("/v1/changes").json["meta"]["total"] == before


@pytest.mark.parametrize("scope", ["write", "admin"])
def test_write_and_admin_tokens_may_write(seeded: FlaskClient, tokens: Tokens, scope: str) -> None:
    response = seeded.post("/v1/tags", json=NEW_TAG, headers=tokens.header(scope))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert [revision["author"] for revision in history(seeded, "/v1/tags/new-tag")] == [
        TOKEN_NAMES[scope]
    ]


def test_only_a_hash_of_each_token_is_stored(seeded_app: Flask, tokens: Tokens) -> None:
    with seeded_app.extensions["db_sessions"]() as session:
        rows = session.execute(text("SELECT * FROM api_tokens")).mappings().all()
    stored = {row["name"]: row for row in rows}
    for scope, name in TOKEN_NAMES.items():
        token = getattr(tokens, scope)
        assert not any(token in str(value) for row in rows for value in row.values())
        assert stored[name]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
        assert stored[name]["scope"] == scope


@pytest.mark.parametrize("path", ["/v1/events", f"/v1/events/{EVENT}", "/v1/tags", "/v1/changes"])
def test_reading_is_public_by_default(seeded: FlaskClient, path: str) -> None:
    assert seeded.get(path).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("nobody", 401), ("read", 200), ("write", 200), ("admin", 200), ("revoked", 401)],
)
@pytest.mark.parametrize("path", ["/v1/events", f"/v1/events/{EVENT}", "/v1/tags/cyber"])
def test_a_private_deployment_needs_a_read_token_to_read(
    app_with: Callable[..., Flask], who: str, status: int, path: str
) -> None:
    private = app_with(READ_REQUIRES_TOKEN=True)
    tokens = make_tokens(private)
    revoked = make_token(private, "former-reader", "read")
    revoke_token(private, "former-reader")
    headers = {scope: tokens.header(scope) for scope in TOKEN_NAMES}
    headers.update(nobody={}, revoked=bearer(revoked))
    response = private.test_client().get(path, headers=headers[who])
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 401:
        assert_unauthenticated(response)


@pytest.mark.parametrize("path", ["/v1/events", f"/v1/events/{EVENT}", "/v1/nowhere"])
def test_a_private_deployment_keeps_its_answers_out_of_shared_caches(
    app_with: Callable[..., Flask], path: str
) -> None:
    private = app_with(READ_REQUIRES_TOKEN=True, CACHE_MAX_AGE=60)
    reader = make_tokens(private).header("read")
    client = private.test_client()
    for response in (client.get(path, headers=reader), client.get(path)):
        assert "public" not in response.headers["Cache-Control"], response.status_code
        assert "private" in response.headers["Cache-Control"]
        assert "Authorization" in response.headers["Vary"]
    answered = client.get(path, headers=reader)
    if answered.status_code == 200:  # the token's holder may keep it as long as anyone could
        assert answered.headers["Cache-Control"] == "private, max-age=60"
    else:  # a refusal or an error is not worth keeping at all
        assert "no-store" in answered.headers["Cache-Control"]


def test_a_public_deployment_lets_shared_caches_keep_its_answers(
    app_with: Callable[..., Flask],
) -> None:
    public = app_with(CACHE_MAX_AGE=60)
    response = public.test_client().get(f"/v1/events/{EVENT}")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Authorization" not in response.headers.get("Vary", "")


def test_the_openapi_document_marks_every_write_with_bearer_auth(seeded: FlaskClient) -> None:
    spec = seeded.get("/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    writes = {
        (method.upper(), path): operation.get("security")
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
    }
    expected = {
        *(("POST", kind.path) for kind in KINDS.values()),
        *(
            (method, f"{kind.path}/{{id}}")
            for kind in KINDS.values()
            for method in ("PUT", "PATCH", "DELETE")
        ),
        *(("POST", f"{kind.path}/{{id}}/history/{{revision}}/restore") for kind in KINDS.values()),
        ("POST", "/v1/import"),
    }
    assert set(writes) == expected
    assert all(security == [{"bearerAuth": []}] for security in writes.values())
    reads = [
        operation
        for operations in spec["paths"].values()
        for method, operation in operations.items()
        if method == "get"
    ]
    assert not any(operation.get("security") for operation in reads)


# --- The command line ------------------------------------------------------------------------


def test_tokens_create_prints_the_token_once_and_it_lets_its_holder_write(
    committed: Committed,
) -> None:
    result = committed.run("tokens", "create", "--name", "newsroom-bot", "--scope", "write")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert token not in result.stderr
    assert "newsroom-bot" in result.stderr
    with committed.app() as app:
        client = app.test_client()
        response = client.post("/v1/tags", json=NEW_TAG, headers=bearer(token))
        assert response.status_code == 201, response.get_data(as_text=True)
        assert [revision["author"] for revision in history(client, "/v1/tags/new-tag")] == [
            "newsroom-bot"
        ]
    listed = committed.run("tokens", "list")
    assert listed.exit_code == 0, listed.output
    assert token not in listed.output


def test_the_database_holds_no_plain_token(committed: Committed) -> None:
    token = committed.run("tokens", "create", "--name", "desk", "--scope", "admin").stdout.strip()
    _digest, rows = committed.fingerprint()
    assert not any(token in str(value) for table in rows.values() for row in table for value in row)
    assert [row for row in rows["api_tokens"] if hashlib.sha256(token.encode()).hexdigest() in row]
    if committed.backend == "sqlite":
        stored = Path(committed.url.removeprefix("sqlite:///"))
        assert token.encode() not in stored.read_bytes()


def test_tokens_list_shows_when_a_token_last_wrote(committed: Committed) -> None:
    token = committed.run("tokens", "create", "--name", "desk", "--scope", "write").stdout.strip()
    reader = committed.run("tokens", "create", "--name", "eyes", "--scope", "read").stdout.strip()

    def listed() -> dict[str, str]:
        lines = committed.run("tokens", "list").stdout.splitlines()
        return {line.split("\t")[0]: line for line in lines}

    assert "never written with" in listed()["desk"]
    with committed.app(READ_REQUIRES_TOKEN=True) as app:
        client = app.test_client()
        assert client.post("/v1/tags", json=NEW_TAG, headers=bearer(token)).status_code == 201
        assert client.get("/v1/tags/new-tag", headers=bearer(reader)).status_code == 200
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert f"last write {today}" in listed()["desk"]
    assert "never written with" in listed()["eyes"]  # reading is not noted


def test_tokens_list_shows_names_scopes_and_revocations_only(committed: Committed) -> None:
    for name, scope in (("alpha", "read"), ("beta", "write"), ("gamma", "admin")):
        assert committed.run("tokens", "create", "--name", name, "--scope", scope).exit_code == 0
    assert committed.run("tokens", "revoke", "--name", "beta").exit_code == 0
    listed = committed.run("tokens", "list")
    assert listed.exit_code == 0, listed.output
    rows = {line.split("\t")[0]: line.split("\t") for line in listed.stdout.splitlines()}
    assert sorted(rows) == ["alpha", "beta", "gamma"]
    assert [rows[name][1] for name in ("alpha", "beta", "gamma")] == ["read", "write", "admin"]
    assert [
        any("revoked" in cell for cell in rows[name]) for name in ("alpha", "beta", "gamma")
    ] == [
        False,
        True,
        False,
    ]


def test_a_token_revoked_on_the_command_line_is_refused(committed: Committed) -> None:
    token = committed.run("tokens", "create", "--name", "temp", "--scope", "write").stdout.strip()
    result = committed.run("tokens", "revoke", "--name", "temp")
    assert result.exit_code == 0, result.output
    with committed.app() as app:
        response = app.test_client().post("/v1/tags", json=NEW_TAG, headers=bearer(token))
        assert_unauthenticated(response)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tokens", "create", "--name", "desk", "--scope", "write"), "exists already"),
        (("tokens", "create", "--name", "root", "--scope", "superuser"), "superuser"),
        (("tokens", "create", "--scope", "write"), "--name"),
        (("tokens", "revoke", "--name", "nobody"), "nobody"),
    ],
)
def test_token_commands_refuse_what_they_cannot_do(
    committed: Committed, args: tuple[str, ...], message: str
) -> None:
    assert committed.run("tokens", "create", "--name", "desk").exit_code == 0
    before = committed.fingerprint()
    result = committed.run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert committed.fingerprint()[1] == before[1]
