"""Migrations on each backend: empty → head → base → head, and no drift from the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import timeline_api.models  # noqa: F401  (registers every table on Base.metadata)
from tests import conftest
from timeline_api import migrate
from timeline_api.app import create_app
from timeline_api.db import Base, make_engine
from timeline_api.search import words

SCHEMA = "timeline_test_migrations"


@pytest.fixture
def fresh_url(databases: conftest.Databases, tmp_path: Path) -> str:
    """An empty database of the backend under test: a new SQLite file, or a new schema."""
    if databases.backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    conftest.reset_schema(SCHEMA)
    return conftest.postgres_url(SCHEMA)


@pytest.fixture
def engine(fresh_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_downgrade_upgrade_round_trip(fresh_url: str, engine: Engine) -> None:
    assert tables(engine) == set()

    migrate.upgrade(fresh_url)
    created = tables(engine)
    assert {"events", "actors", "sources", "series", "tags"} <= created
    assert migrate.current(engine) == migrate.head()

    migrate.downgrade(fresh_url, "base")
    assert tables(engine) <= {"alembic_version"}, "downgrade to base left tables behind"
    assert migrate.current(engine) is None

    migrate.upgrade(fresh_url)
    assert tables(engine) == created
    assert migrate.current(engine) == migrate.head()


def test_models_and_migrations_agree_at_head(fresh_url: str, engine: Engine) -> None:
    migrate.upgrade(fresh_url)
    with engine.connect() as connection:
        # The same options env.py autogenerates with: search structures are made by hand.
        options = {"compare_type": True, "include_name": migrate.include_name}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models and migrations differ; add a revision for the models"


def test_revision_0008_indexes_stored_events_by_their_labels(
    fresh_url: str, engine: Engine
) -> None:
    migrate.upgrade(fresh_url)
    conftest.seed(fresh_url)
    migrate.downgrade(fresh_url, "0006")
    with engine.begin() as connection:  # the index as 0006 wrote it: the event's own words
        rows = connection.execute(text("SELECT id, title, summary, text FROM events")).all()
        for row in rows:
            old = " ".join(words(row.title) + words(row.summary) + words(row.text))
            connection.execute(
                text("UPDATE events SET search_text = :old WHERE id = :id"),
                {"old": old, "id": row.id},
            )
    app = create_app({"TESTING": True, "DATABASE_URL": fresh_url})
    try:
        migrate.upgrade(fresh_url)
        found = app.test_client().get("/v1/events", query_string={"q": '"espionage case"'})
        assert [event["id"] for event in found.json["data"]] == [
            "tw-four-soldiers-espionage-2022-2024"
        ]
    finally:
        app.extensions["db_engine"].dispose()


def test_revision_0009_copies_each_events_window_into_its_links(
    fresh_url: str, engine: Engine
) -> None:
    """Links stored before 0009 get their event's dates and deletion: a window with an actor,
    country or tag (read from the copies) lists what the general plan lists, deleted event
    left out."""
    migrate.upgrade(fresh_url)
    conftest.seed(fresh_url)
    migrate.downgrade(fresh_url, "0008")
    deleted = "tw-four-soldiers-sentenced-2025"
    with engine.begin() as connection:  # deleted before 0009's trigger existed
        connection.execute(
            text("UPDATE events SET deleted_at = CURRENT_TIMESTAMP WHERE slug = :slug"),
            {"slug": deleted},
        )
    app = create_app({"TESTING": True, "DATABASE_URL": fresh_url})
    client = app.test_client()
    try:
        migrate.upgrade(fresh_url)
        for window in ("from=2025-01&to=2025-06", "to=2024", "from=2010"):
            for related in ("actor=taiwan", "tag=taiwan", "country=TW", "country=TW&country=CN"):
                linked = client.get(f"/v1/events?{window}&{related}&limit=100").json
                # Importance at least 1 holds for every event, and takes the general plan.
                general = client.get(f"/v1/events?{window}&{related}&limit=100&min_importance=1")
                assert linked["data"] == general.json["data"], (window, related)
                assert linked["meta"]["total"] == general.json["meta"]["total"] > 0
                assert deleted not in [event["id"] for event in linked["data"]]
    finally:
        app.extensions["db_engine"].dispose()
