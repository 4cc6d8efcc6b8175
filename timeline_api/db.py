"""The declarative base, the engine and one database session per request."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from timeline_api.config import ConfigError

log = logging.getLogger(__name__)

# Named constraints keep Alembic revisions identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, statement_timeout_ms: int = 5000, pool_size: int = 2) -> Engine:
    """An engine for `url` that enforces foreign keys (SQLite) and a statement timeout.

    On SQLite the timeout bounds the wait for another writer's lock instead: well under
    gunicorn's 30 s worker timeout, so a write during a long import is told 503 (errors.py).
    It also bounds the wait for a pooled connection when every one is busy (503 too). 0, no
    statement timeout, keeps waits of 30 s (a lock) and 10 s (a connection).

    A gunicorn worker serves as many requests at once as it has threads (4 by default), which
    pool_size + overflow must cover; workers x (pool_size + overflow) must stay under
    PostgreSQL's max_connections.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL: {url!r}.") from None
    if parsed.get_backend_name() == "sqlite":
        wait = statement_timeout_ms / 1000 or 30
        pooled = {"pool_timeout": wait} if parsed.database not in (None, "", ":memory:") else {}
        engine = create_engine(parsed, connect_args={"timeout": wait}, **pooled)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError("DATABASE_URL must be sqlite:///... or postgresql+psycopg://...")
    # Keep any libpq options the URL carries (a search_path, say) and add the timeout. No
    # parallel workers: every request reads a few index ranges, and under concurrent requests
    # starting workers costs more than it saves on a server of a few cores.
    given = parsed.query.get("options", "")
    settings = f"-c statement_timeout={statement_timeout_ms} -c max_parallel_workers_per_gather=0"
    options: dict[str, Any] = {
        "connect_timeout": 5,
        "options": f"{given} {settings}".strip(),
    }
    return create_engine(
        parsed,
        connect_args=options,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=statement_timeout_ms / 1000 or 10,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _configure_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def init_app(app: Flask) -> None:
    """Keep the engine and a session factory on the app; close the session after each request."""
    engine = make_engine(
        app.config["DATABASE_URL"], app.config["STATEMENT_TIMEOUT_MS"], app.config["DB_POOL_SIZE"]
    )
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """This request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessions"]()
    return g.db_session  # type: ignore[no-any-return]


def _close_session(_error: BaseException | None) -> None:
    opened = g.pop("db_session", None)
    if opened is None:
        return
    try:
        opened.close()
    except DBAPIError as error:
        # The connection was lost after the answer was made (PostgreSQL restarted, a backend
        # terminated): closing rolls back on it and fails. The answer stands; the pool drops
        # the connection. Raised here, it would reach gunicorn as a crash of the request.
        log.warning("database connection lost while closing the session: %s", error.orig)
        opened.invalidate()
