"""Probes for load balancers, request ids, and the database's guard rails."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.conftest import Databases
from timeline_api import migrate
from timeline_api.app import create_app


def test_healthz_answers_without_the_database() -> None:
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_says_ready_on_a_migrated_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "revision": migrate.head()}


def test_readyz_is_a_503_on_a_database_not_migrated() -> None:
    app = create_app({"DATABASE_URL": "sqlite://"})  # empty: no revision at all
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "db upgrade" in response.json["detail"]


def test_readyz_is_a_503_when_the_database_is_unreachable() -> None:
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_every_answer_carries_a_request_id(client: FlaskClient) -> None:
    made = client.get("/v1/events").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/v1/nothing").headers["X-Request-ID"] != made


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("abc-123.x", True), ("x" * 129, False), ("bad id", False), ("id;drop", False)],
)
def test_a_clean_request_id_from_the_client_is_kept(
    client: FlaskClient, sent: str, kept: bool
) -> None:
    answered = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (answered == sent) is kept


def test_postgresql_cancels_a_statement_over_the_timeout(databases: Databases) -> None:
    if databases.backend != "postgresql":
        pytest.skip("SQLite has no statement timeout")
    app = create_app({"DATABASE_URL": databases.urls["empty"], "STATEMENT_TIMEOUT_MS": 100})
    engine = app.extensions["db_engine"]
    try:
        with engine.connect() as connection, pytest.raises(OperationalError):
            connection.execute(text("SELECT pg_sleep(2)"))
    finally:
        engine.dispose()
