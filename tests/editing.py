"""What the editing tests share: tokens, clients that write, bodies, and databases that commit.

Test modules import the fixtures they use from here (pytest finds fixtures by name in the test
module), so those modules silence ruff's F401/F811 for the names imported.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import http.client
import io
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.orm import Session
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.test import TestResponse

from tests.conftest import (
    BASICS,
    RUN,
    Databases,
    make_test_app,
    postgres_url,
    reset_schema,
    seed,
)
from timeline_api import migrate
from timeline_api.app import create_app
from timeline_api.cli import cli
from timeline_api.datafile import ORDER
from timeline_api.db import Base
from timeline_api.services import imports
from timeline_api.services import tokens as token_service

# Seed records the tests lean on.
EVENT = "tw-four-soldiers-sentenced-2025"
LINKED_EVENT = "cn-guangzhou-tech-company-cyberattack-alleged-2025"  # others link to it
SERIES = "tw-nsb-chinese-espionage-prosecutions"
OUTSIDE_SOURCE = "focustaiwan-icefcom-bounty-2025-06-05"  # no stored document: cite with a note
DOCUMENT_SOURCE = "intelnews-taiwan-soldiers-jailed-2025"  # its quotes must be verbatim
VERBATIM = (
    "Specifically, there were 10 prosecutions for Chinese espionage in 2022, 48 in 2023, "
    "and 64 in 2024."
)
TOKEN_NAMES = {"read": "reader", "write": "desk", "admin": "chief"}


# --- Tokens ----------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_token(app: Flask, name: str, scope: str) -> str:
    """A token made in `app`'s database, as `timeline-api tokens create` makes one."""
    with app.extensions["db_sessions"]() as session:
        _record, token = token_service.create(session, name, scope)
        session.commit()
    return token


def revoke_token(app: Flask, name: str) -> None:
    with app.extensions["db_sessions"]() as session:
        token_service.revoke(session, name)
        session.commit()


@dataclass(frozen=True)
class Tokens:
    """One plain token per scope, named as TOKEN_NAMES says."""

    read: str
    write: str
    admin: str

    def header(self, scope: str) -> dict[str, str]:
        return bearer(getattr(self, scope))


def make_tokens(app: Flask) -> Tokens:
    return Tokens(**{scope: make_token(app, name, scope) for scope, name in TOKEN_NAMES.items()})


@pytest.fixture
def tokens(seeded_app: Flask) -> Tokens:
    """A read, a write and an admin token in the seeded database."""
    return make_tokens(seeded_app)


@pytest.fixture
def empty_tokens(app: Flask) -> Tokens:
    """A read, a write and an admin token in the empty database."""
    return make_tokens(app)


# --- Clients that write ----------------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """A client writing with one token; it GETs the ETag first unless given an old one."""

    client: FlaskClient
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)

    def etag(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        etag = response.headers["ETag"]
        return etag

    def _matched(self, path: str, etag: str | None) -> dict[str, str]:
        return {**self.auth, "If-Match": etag if etag is not None else self.etag(path)}

    def post(self, path: str, body: Any) -> TestResponse:
        return self.client.post(path, json=body, headers=self.auth)

    def put(self, path: str, body: Any, etag: str | None = None) -> TestResponse:
        return self.client.put(path, json=body, headers=self._matched(path, etag))

    def patch(self, path: str, body: Any, etag: str | None = None) -> TestResponse:
        return self.client.patch(path, json=body, headers=self._matched(path, etag))

    def delete(self, path: str, etag: str | None = None) -> TestResponse:
        return self.client.delete(path, headers=self._matched(path, etag))

    def restore(self, path: str, revision: int) -> TestResponse:
        return self.client.post(f"{path}/history/{revision}/restore", headers=self.auth)


@pytest.fixture
def writer(seeded: FlaskClient, tokens: Tokens) -> Writer:
    """An editor with a `write` token on the seeded API."""
    return Writer(seeded, tokens.write)


@pytest.fixture
def admin(seeded: FlaskClient, tokens: Tokens) -> Writer:
    """An editor with an `admin` token on the seeded API."""
    return Writer(seeded, tokens.admin)


# --- Bodies ----------------------------------------------------------------------------------


def event_body(id: str = "new-event", **fields: Any) -> dict[str, Any]:
    """A valid event for the seeded database; `fields` replace members."""
    return {
        "id": id,
        "title": "Police arrest a suspected agent",
        "summary": "Police arrested a person suspected of spying.",
        "type": "arrest",
        "importance": 3,
        "start": "2024-05-01",
        "date_note": "Police statement.",
        "citations": [{"source": OUTSIDE_SOURCE, "note": "Dates the arrest."}],
        **fields,
    }


def point(period: str, value: Any, **fields: Any) -> dict[str, Any]:
    return {"period": period, "value": value, "source": OUTSIDE_SOURCE, "note": "n", **fields}


@dataclass(frozen=True)
class Kind:
    """One editable resource of the seeded API, and bodies to write to it."""

    path: str  # the list URL
    new: dict[str, Any]  # a valid POST body; it sets `optional`
    change: dict[str, Any]  # a merge patch setting one member that GET shows as is
    optional: str  # a member that is optional: a null in a patch removes it
    in_use: str | None  # a seeded record others refer to (None: nothing can refer to one)

    def url(self, id: str | None = None) -> str:
        return f"{self.path}/{id or self.new['id']}"


KINDS: dict[str, Kind] = {
    "events": Kind("/v1/events", event_body(), {"title": "Retitled"}, "date_note", None),
    "actors": Kind(
        "/v1/actors",
        {"id": "new-actor", "name": "A new agency", "kind": "agency", "country": "TW"},
        {"name": "Renamed agency"},
        "country",
        "china",
    ),
    "sources": Kind(
        "/v1/sources",
        {"id": "new-source", "publisher": "Paper", "title": "A report", "author": "A. Writer"},
        {"title": "A retitled report"},
        "author",
        OUTSIDE_SOURCE,
    ),
    "tags": Kind(
        "/v1/tags",
        {"id": "new-tag", "name": "New tag", "description": "What it covers."},
        {"name": "Renamed tag"},
        "description",
        "cyber",
    ),
    "event-types": Kind(
        "/v1/event-types",
        {"id": "new-type", "name": "New type", "description": "What it covers."},
        {"name": "Renamed type"},
        "description",
        "arrest",
    ),
    "series": Kind(
        "/v1/series",
        {
            "id": "new-series",
            "title": "Arrests a year",
            "description": "Counted by the police.",
            "unit": "people",
            "points": [point("2023", 4), point("2024", 7)],
        },
        {"title": "Arrests per year"},
        "description",
        None,
    ),
}


def history(client: FlaskClient, path: str) -> list[dict[str, Any]]:
    """Every revision of the record at `path`, oldest first."""
    response = client.get(f"{path}/history", query_string={"limit": 100})
    assert response.status_code == 200, response.get_data(as_text=True)
    revisions: list[dict[str, Any]] = response.json["data"]
    return revisions


def changes(client: FlaskClient, **query: Any) -> list[dict[str, Any]]:
    """Every change the feed lists for `query`, following links.next to the end."""
    found: list[dict[str, Any]] = []
    response = client.get("/v1/changes", query_string={"limit": 100, **query})
    while True:
        assert response.status_code == 200, response.get_data(as_text=True)
        found.extend(response.json["data"])
        following = response.json["links"]["next"]
        if following is None:
            return found
        response = client.get(following)


# --- Whole-database comparisons --------------------------------------------------------------


def table_rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal only when nothing changed."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        statement = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in session.execute(statement)]
    return rows


def app_rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """`table_rows` as `app` sees its database (inside the test's transaction on PostgreSQL)."""
    with app.extensions["db_sessions"]() as session:
        return table_rows(session)


# --- Apps built with settings of their own ---------------------------------------------------


# create_app(overrides) on a copy of a template, isolated as conftest isolates `app`.
configured_app = contextmanager(make_test_app)


@pytest.fixture
def app_with(databases: Databases, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """app_with(READ_REQUIRES_TOKEN=True): a seeded app made with those settings."""
    with ExitStack() as stack:
        built = iter(range(1_000))

        def build(template: str = "seeded", **overrides: Any) -> Flask:
            folder = tmp_path / f"app-{next(built)}"
            return stack.enter_context(configured_app(databases, template, folder, overrides))

        yield build


# --- Databases the CLI and a live server commit to -------------------------------------------

# Schemas of our own per test process, as conftest's, so that runs side by side never collide.
COMMITTED_SCHEMAS = {
    name: f"timeline_test_cli_{name}_{RUN}" for name in ("empty", "other", "seeded")
}
# Small data of our own, so that a committed PostgreSQL database need not be seeded per test.
SMALL: dict[str, Any] = {
    **BASICS,
    "events": [
        {
            "id": "first-event",
            "title": "The first event",
            "summary": "It came first.",
            "type": "test-type",
            "importance": 3,
            "start": "2022",
            "end": "2023",
            "tags": ["red"],
            "actors": [{"actor": "agency-a", "role": "accuser"}],
            "citations": [{"source": "test-source", "note": "test"}],
        },
        {
            "id": "second-event",
            "title": "The second event",
            "summary": "It came next.",
            "type": "other-type",
            "importance": 4,
            "start": "2024-06-05",
            "tags": ["blue"],
            "citations": [{"source": "test-source", "note": "test"}],
            "links": [{"to": "first-event", "kind": "follows"}],
        },
    ],
}


# --- Data files ------------------------------------------------------------------------------

MEDIA = {
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "csv": "text/csv",
    "yaml": "application/yaml",
}
CSV_COLUMNS = (
    "id",
    "title",
    "summary",
    "type",
    "importance",
    "start",
    "end",
    "tags",
    "actors",
    "citations",
    "links",
)
# SMALL's events as CSV rows (CSV holds events only: the lookups must be stored already).
# Files the checks must refuse before the tables would (a unique key, a CHECK), by pointer.
REFUSED_BY_THE_TABLES = [
    pytest.param(
        {
            "series": [
                {
                    "id": "arrests",
                    "title": "Arrests",
                    "unit": "people",
                    "points": [
                        point("2024", 1, source="test-source"),
                        point("2024", 2, source="test-source"),
                    ],
                }
            ]
        },
        "/series/0/points/1/period",
        id="same-period-twice",
    ),
    pytest.param(
        {"events": [{**SMALL["events"][0], "links": [{"to": "first-event", "kind": "related"}]}]},
        "/events/0/links/0/to",
        id="event-linked-to-itself",
    ),
    pytest.param(
        {
            "events": [
                {
                    **SMALL["events"][0],
                    "actors": [{"actor": "agency-a", "role": "accuser"}] * 2,
                }
            ]
        },
        "/events/0/actors/1",
        id="same-actor-role-twice",
    ),
]


CITED = json.dumps([{"source": "test-source", "note": "test"}])
SMALL_ROWS: list[dict[str, Any]] = [
    {
        "id": "first-event",
        "title": "The first event",
        "summary": "It came first.",
        "type": "test-type",
        "importance": 3,
        "start": "2022",
        "end": "2023",
        "tags": "red",
        "actors": "agency-a:accuser",
        "citations": CITED,
    },
    {
        "id": "second-event",
        "title": "The second event",
        "summary": "It came next.",
        "type": "other-type",
        "importance": 4,
        "start": "2024-06-05",
        "tags": "blue",
        "citations": CITED,
        "links": "first-event:follows",
    },
]


def as_ndjson(data: dict[str, Any]) -> str:
    """`data` as NDJSON: one `{"<list>": item}` per line, lists in loading order."""
    return "".join(json.dumps({name: item}) + "\n" for name in ORDER for item in data.get(name, []))


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    table = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    table.writeheader()
    table.writerows(rows)
    return out.getvalue()


def as_format(fmt: str, data: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The file in `fmt`: `data` for JSON, NDJSON and YAML, `rows` for CSV."""
    if fmt == "csv":
        return as_csv(rows)
    if fmt == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return as_ndjson(data) if fmt == "ndjson" else json.dumps(data)


def yaml_line(data: dict[str, Any], id: str) -> str:
    """The line of the item `id` in `as_format("yaml", data, [])`."""
    lines = as_format("yaml", data, []).splitlines()
    return f"line {next(n for n, line in enumerate(lines, 1) if line == f'- id: {id}')}"


def _event(id: str, **fields: Any) -> dict[str, Any]:
    return {**SMALL["events"][0], "id": id, "links": [], **fields}


# A file for a database holding SMALL: a valid update of first-event, then two broken events.
BROKEN: dict[str, Any] = {
    "tags": [{"id": "green", "name": "Green"}],
    "events": [
        _event("first-event", title="A changed title"),
        _event("bad-date", start="2024-13"),
        _event("bad-type", type="no-such-type"),
    ],
}
BROKEN_ROWS = [
    {**SMALL_ROWS[0], "title": "A changed title"},
    {**SMALL_ROWS[0], "id": "bad-importance", "importance": 9},
    {**SMALL_ROWS[0], "id": "bad-source", "citations": CITED.replace("test-", "no-such-")},
]
# Where each format's problems are: (line or row, JSON pointer).
BROKEN_PLACES: dict[str, list[tuple[str | None, str]]] = {
    "json": [("line 1", "/events/1/start"), ("line 1", "/events/2/type")],
    "ndjson": [("line 3", "/start"), ("line 4", "/type")],
    "csv": [("row 3", "/importance"), ("row 4", "/citations/0/source")],
    "yaml": [
        (yaml_line(BROKEN, "bad-date"), "/events/1/start"),
        (yaml_line(BROKEN, "bad-type"), "/events/2/type"),
    ],
}


def load_into(app: Flask, raw: dict[str, Any]) -> None:
    """Load a data file into `app`'s database (committed, or a SAVEPOINT in the test's)."""
    with app.extensions["db_sessions"]() as session:
        imports.load(session, raw)
        session.commit()


@pytest.fixture
def small_app(app: Flask) -> Flask:
    """The empty app, holding SMALL."""
    load_into(app, SMALL)
    return app


@pytest.fixture
def importer(small_app: Flask, client: FlaskClient, empty_tokens: Tokens) -> Writer:
    """An admin of the app holding SMALL."""
    return Writer(client, empty_tokens.admin)


@dataclass(frozen=True)
class Committed:
    """A migrated database written as a deployment writes it: commits are for real."""

    backend: str
    url: str

    def run(self, *args: str) -> Result:
        """`timeline-api ARGS...` with DATABASE_URL pointing here.

        The command's engines are closed afterwards, as its process ending would close them.
        """
        opened: list[Engine] = []

        def remember(connection: Connection) -> None:
            opened.append(connection.engine)

        event.listen(Engine, "engine_connect", remember)
        try:
            return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": self.url})
        finally:
            event.remove(Engine, "engine_connect", remember)
            for engine in opened:
                engine.dispose()

    def load(self, raw: dict[str, Any]) -> None:
        with self.app() as app, app.extensions["db_sessions"].begin() as session:
            imports.load(session, raw)

    @contextmanager
    def app(self, **overrides: Any) -> Iterator[Flask]:
        """The app on this database, as `timeline-api serve` would run it."""
        app = create_app({"TESTING": True, **overrides, "DATABASE_URL": self.url})
        try:
            yield app
        finally:
            app.extensions["db_engine"].dispose()

    def fingerprint(self) -> tuple[str | None, dict[str, list[tuple[Any, ...]]]]:
        """The SQLite file's SHA-256 (None on PostgreSQL) and every row of every table."""
        digest = None
        if self.backend == "sqlite":
            path = Path(self.url.removeprefix("sqlite:///"))
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        engine = create_engine(self.url)
        with Session(engine) as session:
            rows = table_rows(session)
        engine.dispose()
        return digest, rows

    def export(self, *args: str) -> str:
        result = self.run("export", *args)
        assert result.exit_code == 0, result.output
        return result.stdout


@pytest.fixture(scope="session")
def committed_urls(databases: Databases) -> Iterator[dict[str, str]]:
    """PostgreSQL: schemas of our own, migrated once ("seeded" is only ever read)."""
    if databases.backend != "postgresql":
        yield {}
        return
    urls = {}
    for name, schema in COMMITTED_SCHEMAS.items():
        reset_schema(schema)
        urls[name] = postgres_url(schema)
        migrate.upgrade(urls[name])
    seed(urls["seeded"])
    yield urls
    gc.collect()
    for schema in COMMITTED_SCHEMAS.values():
        reset_schema(schema, create=False)


def _emptied(url: str) -> None:
    """Delete every row (cheaper than TRUNCATE for the few rows a test leaves)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


def _empty_database(
    databases: Databases, committed_urls: dict[str, str], path: Path, name: str
) -> Committed:
    if databases.backend == "sqlite":
        shutil.copy(databases.urls["empty"].removeprefix("sqlite:///"), path)
        return Committed("sqlite", f"sqlite:///{path}")
    _emptied(committed_urls[name])
    return Committed("postgresql", committed_urls[name])


@pytest.fixture
def committed(databases: Databases, committed_urls: dict[str, str], tmp_path: Path) -> Committed:
    """An empty migrated database of the test's own."""
    return _empty_database(databases, committed_urls, tmp_path / "committed.sqlite3", "empty")


@pytest.fixture
def committed_other(
    databases: Databases, committed_urls: dict[str, str], tmp_path: Path
) -> Committed:
    """A second empty migrated database, to load what was exported from the first."""
    return _empty_database(databases, committed_urls, tmp_path / "other.sqlite3", "other")


@pytest.fixture
def committed_seed(
    databases: Databases, committed_urls: dict[str, str], tmp_path: Path
) -> Committed:
    """A database holding the seed dataset; tests only read it."""
    if databases.backend == "sqlite":
        path = tmp_path / "committed-seed.sqlite3"
        shutil.copy(databases.urls["seeded"].removeprefix("sqlite:///"), path)
        return Committed("sqlite", f"sqlite:///{path}")
    return Committed("postgresql", committed_urls["seeded"])


# --- A live server ---------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        """Keep the test output free of access logs."""


@contextmanager
def serving(app: Flask) -> Iterator[int]:
    """Serve `app` on 127.0.0.1 (a free port, yielded) with a thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def send(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """One request to a live server: status, headers and the JSON body (or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(
            method,
            path,
            body=None if body is None else json.dumps(body),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, dict(response.getheaders()), json.loads(data) if data else None
