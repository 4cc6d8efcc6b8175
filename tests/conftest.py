"""Fixtures: every test runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

Databases are migrated (and seeded) once per run; each test then gets its own copy (SQLite) or
a transaction rolled back when it ends (PostgreSQL), so tests run in any order.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from timeline_api import migrate
from timeline_api.app import create_app
from timeline_api.cli import SEED_FILE
from timeline_api.services import imports

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
# One pair of schemas per test process, so that runs side by side never share a database.
RUN = f"{os.getpid()}"
SCHEMAS = {"empty": f"timeline_test_empty_{RUN}", "seeded": f"timeline_test_seeded_{RUN}"}


@dataclass(frozen=True)
class Databases:
    """Where the migrated databases of one backend live."""

    backend: str
    urls: dict[str, str]  # "empty" and "seeded" → a URL (SQLite: a template file)


def postgres_url(schema: str) -> str:
    """TEST_DATABASE_URL with its search_path set to `schema`."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def read_seed() -> dict[str, Any]:
    """The bundled seed file, as a mapping of lists."""
    data: dict[str, Any] = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return data


def seed(url: str) -> None:
    app = create_app({"DATABASE_URL": url})
    with app.extensions["db_sessions"].begin() as session:
        imports.load(session, read_seed(), "seed")
    app.extensions["db_engine"].dispose()


def reset_schema(schema: str, create: bool = True) -> None:
    """Drop `schema` with everything in it, and (by default) make it anew, empty."""
    engine = create_engine(os.environ["TEST_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if create:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    urls = {}
    for name, schema in SCHEMAS.items():
        if request.param == "sqlite":
            path = tmp_path_factory.mktemp("db") / f"{name}.sqlite3"
            urls[name] = f"sqlite:///{path}"
        else:
            reset_schema(schema)
            urls[name] = postgres_url(schema)
        migrate.upgrade(urls[name])
    seed(urls["seeded"])
    yield Databases(request.param, urls)
    if request.param == "postgresql":
        for schema in SCHEMAS.values():
            reset_schema(schema, create=False)


@pytest.fixture
def backend(databases: Databases) -> str:
    return databases.backend


def make_test_app(
    databases: Databases, name: str, folder: Path, overrides: Mapping[str, Any] | None = None
) -> Iterator[Flask]:
    """An app on database `name` ("empty" or "seeded"), isolated: SQLite gets a copy of it,
    PostgreSQL a transaction rolled back at the end. `overrides` adds settings."""
    settings = {"TESTING": True, **(overrides or {})}
    template = databases.urls[name]
    if databases.backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / f"{name}.sqlite3"
        shutil.copy(template.removeprefix("sqlite:///"), copy)
        app = create_app({**settings, "DATABASE_URL": f"sqlite:///{copy}"})
        yield app
        app.extensions["db_engine"].dispose()
        return
    app = create_app({**settings, "DATABASE_URL": template})
    connection = app.extensions["db_engine"].connect()
    outer = connection.begin()
    app.extensions["db_sessions"].configure(  # app commits become SAVEPOINTs
        bind=connection, join_transaction_mode="create_savepoint"
    )
    yield app
    outer.rollback()
    connection.close()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app(databases: Databases, tmp_path: Path) -> Iterator[Flask]:
    """An app on a migrated, empty database."""
    yield from make_test_app(databases, "empty", tmp_path)


@pytest.fixture
def seeded_app(databases: Databases, tmp_path: Path) -> Iterator[Flask]:
    """An app on a database holding the seed dataset."""
    yield from make_test_app(databases, "seeded", tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def seeded(seeded_app: Flask) -> FlaskClient:
    """A client of the seeded API."""
    return seeded_app.test_client()


BASICS: dict[str, list[dict[str, Any]]] = {
    "event_types": [
        {"id": "test-type", "name": "Test type"},
        {"id": "other-type", "name": "Other type"},
    ],
    "tags": [{"id": "red", "name": "Red"}, {"id": "blue", "name": "Blue"}],
    "countries": [{"code": "TW", "name": "Taiwan"}, {"code": "CN", "name": "China"}],
    "actors": [
        {"id": "agency-a", "name": "Agency A", "kind": "agency"},
        {"id": "agency-b", "name": "Agency B", "kind": "agency"},
    ],
    "sources": [{"id": "test-source", "publisher": "Test", "title": "A test page"}],
}


@pytest.fixture
def add_events(app: Flask) -> Callable[..., None]:
    """Load events (with defaults for what a test does not care about) into `app`'s database."""

    def add(*events: dict[str, Any]) -> None:
        items = [
            {
                "title": f"Event {event['id']}",
                "summary": "A test event.",
                "type": "test-type",
                "importance": 3,
                "citations": [{"source": "test-source", "note": "test"}],
                **event,
            }
            for event in events
        ]
        with app.app_context():
            session = app.extensions["db_sessions"]()
            imports.load(session, {**BASICS, "events": items})
            session.commit()
            session.close()

    return add


@pytest.fixture
def add_event(add_events: Callable[..., None]) -> Callable[..., None]:
    """Load one event: add_event("slug", "2022", "2024", tags=["red"])."""

    def add(slug: str, start: str, end: str | None = None, **fields: Any) -> None:
        add_events({"id": slug, "start": start, **({"end": end} if end else {}), **fields})

    return add


def ids(response: Any) -> list[str]:
    """The event ids of a list response, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["data"]]
