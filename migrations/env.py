"""Alembic environment: migrates the database named by the config or DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import timeline_api.models  # noqa: F401  (registers every table on Base.metadata)
from timeline_api.config import Config
from timeline_api.db import Base, make_engine
from timeline_api.migrate import include_name

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_name=include_name,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by tests or the CLI
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or Config.from_environ().DATABASE_URL
    engine = make_engine(url, statement_timeout_ms=0)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
