"""Search gives the same events on SQLite (FTS5) and PostgreSQL (tsvector) for the seed data."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import RUN, postgres_url, reset_schema, seed
from timeline_api import migrate
from timeline_api.app import create_app

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
)

QUERIES = [
    "espionage",
    "espion*",
    '"secret army"',
    "secret army",
    "ICEFCOM",
    "icefcom bounty",
    "Défense",
    "defense",
    "cross-strait",
    "taiwan*",
    "U.S.",
    "2024",
    "FSB ENTENTE-4",
    "court soldiers",
    '"national security"',
    "cyber*",
    "Czech",
    "weather stations",
    "Stalin",
    "'; DROP TABLE events; --",
    '"unbalanced',
    "a*",
    "NSB 64",
    "spying",
    "spy*",
    '"espionage case"',
    "military insiders",
    "presidential office",
]


@pytest.fixture(scope="module")
def both() -> Iterator[tuple[FlaskClient, FlaskClient]]:
    schema = f"timeline_test_parity_{RUN}"
    sqlite_path = Path(tempfile.gettempdir()) / f"timeline-parity-{RUN}.sqlite3"
    urls = [f"sqlite:///{sqlite_path}", postgres_url(schema)]
    reset_schema(schema)
    sqlite_path.unlink(missing_ok=True)
    apps: list[Flask] = []
    for url in urls:
        migrate.upgrade(url)
        seed(url)
        apps.append(create_app({"TESTING": True, "DATABASE_URL": url}))
    yield apps[0].test_client(), apps[1].test_client()
    for app in apps:
        app.extensions["db_engine"].dispose()
    reset_schema(schema, create=False)
    sqlite_path.unlink(missing_ok=True)


@pytest.mark.parametrize("q", QUERIES)
def test_both_databases_find_the_same_events(both: tuple[FlaskClient, FlaskClient], q: str) -> None:
    answers = [client.get("/v1/events", query_string={"q": q, "limit": 500}) for client in both]
    assert [answer.status_code for answer in answers] == [200, 200]
    found = [[event["id"] for event in answer.json["data"]] for answer in answers]
    assert found[0] == found[1], q
    snippets = [[event["snippet"] for event in answer.json["data"]] for answer in answers]
    assert snippets[0] == snippets[1]


def test_the_queries_are_not_all_empty(both: tuple[FlaskClient, FlaskClient]) -> None:
    sqlite, _postgres = both
    hits = [sqlite.get("/v1/events", query_string={"q": q}).json["meta"]["total"] for q in QUERIES]
    assert sum(1 for hit in hits if hit) >= len(QUERIES) // 2
