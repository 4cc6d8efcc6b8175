"""Database faults: a PostgreSQL connection lost during a query, a commit or the session's close
is a 503 with Retry-After (or, once the answer is made, the answer), and the next request is
served on a fresh connection. The app's own backend is terminated with pg_terminate_backend.
On SQLite, a write waiting for another writer's lock gives up well before gunicorn would."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tests.conftest import Databases
from tests.editing import SMALL, Committed, bearer, committed, committed_urls, make_token
from timeline_api.app import create_app


@pytest.fixture
def postgresql(committed: Committed) -> Committed:
    if committed.backend != "postgresql":
        pytest.skip("terminating a backend is PostgreSQL's")
    committed.load(SMALL)
    return committed


@contextmanager
def terminated(engine: Engine, at: str, statement: str = "") -> Iterator[list[int]]:
    """Terminate, once, the backend of the app's connection at `at`: "before" or "after" a
    statement starting with `statement`, or at "commit". Yields the pids terminated."""
    killer = create_engine(os.environ["TEST_DATABASE_URL"])
    done: list[int] = []

    def terminate(connection: Any, *args: Any) -> None:
        sql = args[1] if at != "commit" else ""
        if done or not sql.lstrip().upper().startswith(statement.upper()):
            return
        pid = connection.connection.dbapi_connection.info.backend_pid
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        done.append(pid)

    name = {"before": "before_cursor_execute", "after": "after_cursor_execute"}.get(at, at)
    event.listen(engine, name, terminate)
    try:
        yield done
    finally:
        event.remove(engine, name, terminate)
        killer.dispose()


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    assert "terminating" not in response.get_data(as_text=True)  # no driver text


def test_a_connection_lost_during_a_query_is_a_503_and_the_next_request_is_served(
    postgresql: Committed,
) -> None:
    with postgresql.app() as app:
        client = app.test_client()
        with terminated(app.extensions["db_engine"], "before", "SELECT") as killed:
            assert_unavailable(client.get("/v1/events/first-event"))
        assert killed
        assert client.get("/v1/events/first-event").status_code == 200


def test_a_connection_lost_before_the_session_closes_leaves_the_answer_whole(
    postgresql: Committed,
) -> None:
    """The one query of a 404 has run when the backend goes: closing the session fails."""
    with postgresql.app() as app:
        client = app.test_client()
        with terminated(app.extensions["db_engine"], "after", "SELECT") as killed:
            response = client.get("/v1/tags/no-such-tag")
        assert killed
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert client.get("/v1/tags/red").status_code == 200


def test_a_connection_lost_at_commit_is_a_503_and_nothing_is_written(
    postgresql: Committed,
) -> None:
    with postgresql.app() as app:
        client = app.test_client()
        token = make_token(app, "desk", "write")
        with terminated(app.extensions["db_engine"], "commit") as killed:
            response = client.post(
                "/v1/tags", json={"id": "green", "name": "Green"}, headers=bearer(token)
            )
        assert killed
        assert_unavailable(response)
        assert client.get("/v1/tags/green").status_code == 404
        created = client.post(
            "/v1/tags", json={"id": "green", "name": "Green"}, headers=bearer(token)
        )
        assert created.status_code == 201, created.get_data(as_text=True)


def test_a_write_while_another_writer_holds_sqlite_is_a_503_in_time(committed: Committed) -> None:
    if committed.backend != "sqlite":
        pytest.skip("PostgreSQL writers wait on rows, not on the whole database")
    committed.load(SMALL)
    with committed.app(STATEMENT_TIMEOUT_MS=300) as app:
        client = app.test_client()
        token = make_token(app, "desk", "write")
        importer = sqlite3.connect(committed.url.removeprefix("sqlite:///"), isolation_level=None)
        importer.execute("BEGIN IMMEDIATE")  # what a CLI import holds for its whole run
        try:
            started = time.monotonic()
            response = client.post(
                "/v1/tags", json={"id": "green", "name": "Green"}, headers=bearer(token)
            )
            waited = time.monotonic() - started
            reading = client.get("/v1/tags/red")  # WAL: readers are not held up
        finally:
            importer.execute("ROLLBACK")
            importer.close()
        assert_unavailable(response)
        assert waited < 5  # the lock wait, not gunicorn's 30 s, ended it
        assert reading.status_code == 200
        created = client.post(
            "/v1/tags", json={"id": "green", "name": "Green"}, headers=bearer(token)
        )
        assert created.status_code == 201, created.get_data(as_text=True)


def test_a_request_finding_every_pooled_connection_busy_is_a_503_in_time(
    databases: Databases,
) -> None:
    app = create_app(
        {"DATABASE_URL": databases.urls["seeded"], "DB_POOL_SIZE": 1, "STATEMENT_TIMEOUT_MS": 300}
    )
    engine = app.extensions["db_engine"]
    held: list[Connection] = []
    try:
        with pytest.raises(PoolTimeout):
            while len(held) < 100:  # the pool's size and overflow, as requests would hold them
                held.append(engine.connect())
        started = time.monotonic()
        response = app.test_client().get("/v1/tags/cyber")
        waited = time.monotonic() - started
        assert_unavailable(response)
        assert waited < 5
        for connection in held:
            connection.close()
        assert app.test_client().get("/v1/tags/cyber").status_code == 200
    finally:
        for connection in held:
            connection.close()
        engine.dispose()
