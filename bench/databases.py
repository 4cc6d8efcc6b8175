"""The databases under test, filled through the project's own CLI: `db upgrade`, then `import`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text

from bench.workload import Ids

POSTGRESQL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@dataclass(frozen=True)
class Database:
    """One database under test: `sqlite` or `postgresql`, and where it is."""

    kind: str
    url: str

    @property
    def sqlite_file(self) -> Path:
        return Path(make_url(self.url).database or "")


def sqlite(results: Path, events: int, seed: int) -> Database:
    """A file named bench.sqlite3, so that Datasette serves it as /bench."""
    folder = results / f"sqlite-{events}-s{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    return Database("sqlite", f"sqlite:///{(folder / 'bench.sqlite3').resolve()}")


def postgresql(server: str, events: int, seed: int) -> Database:
    """A dedicated database on the server, e.g. timeline_bench_1000000_s1.

    BENCH_POSTGRESQL_PREFIX replaces `timeline_bench`, so that several checkouts sharing one
    server do not load into (and drop) each other's database.
    """
    prefix = os.environ.get("BENCH_POSTGRESQL_PREFIX", "timeline_bench")
    return Database("postgresql", f"{server.rstrip('/')}/{prefix}_{events}_s{seed}")


def event_count(database: Database) -> int | None:
    """How many events it holds; None when it does not exist or is not migrated."""
    if database.kind == "sqlite" and not database.sqlite_file.exists():
        return None
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return None
            return int(connection.scalar(text("select count(*) from events")) or 0)
    except Exception:  # a missing PostgreSQL database, say: it will be made
        return None
    finally:
        engine.dispose()


def recreate(database: Database) -> None:
    """An empty database in its place."""
    if database.kind == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database.sqlite_file}{suffix}").unlink(missing_ok=True)
        return
    url = make_url(database.url)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            name = url.database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()


def _cli(database: Database, *arguments: str) -> str:
    """Run `timeline-api ARGUMENTS` against `database`; its progress goes to our stderr."""
    binary = Path(sys.executable).parent / "timeline-api"
    done = subprocess.run(
        [str(binary), *arguments],
        env={**os.environ, "DATABASE_URL": database.url},
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"timeline-api {' '.join(arguments)} failed ({done.returncode})")
    return done.stdout


def load(database: Database, dataset: Path, events: int, reuse: bool) -> float | None:
    """Migrate and import `dataset`; the seconds the import took (None when reused)."""
    if reuse and event_count(database) == events:
        _cli(database, "db", "upgrade")
        settle(database)
        print(f"  reusing {database.kind} database with {events:,} events", file=sys.stderr)
        return None
    recreate(database)
    _cli(database, "db", "upgrade")
    print(f"  importing {dataset.name} into {database.kind} ...", file=sys.stderr)
    started = time.monotonic()
    summary = _cli(database, "import", str(dataset))
    seconds = time.monotonic() - started
    print("  " + summary.strip().replace("\n", "\n  "), file=sys.stderr)
    print(f"  imported in {seconds:.0f} s: {events / seconds:,.0f} events/s", file=sys.stderr)
    settle(database)
    return seconds


def settle(database: Database) -> None:
    """What a server left alone would have done by itself before being measured.

    PostgreSQL: autovacuum vacuums and analyses a freshly loaded table soon (the import does
    too, when it creates enough); VACUUM (ANALYZE) now, so that plans and index-only scans do
    not depend on when it got round to it. SQLite: fold the WAL into the file, so that
    Datasette, which opens it immutable, sees every row.
    """
    engine = create_engine(database.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if database.kind == "postgresql":
                connection.execute(text("VACUUM (ANALYZE)"))
            else:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        engine.dispose()


def ids(database: Database) -> Ids:
    """The integer keys behind the slugs, for Datasette's filters."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:

            def keys(table: str) -> dict[str, int]:
                found = connection.execute(text(f"select slug, id from {table}"))
                return {slug: int(key) for slug, key in found}

            return Ids(keys("event_types"), keys("actors"), keys("tags"))
    finally:
        engine.dispose()
