"""Import and export of a large NDJSON file through the CLI: events/s and peak memory.

    python -m bench.datafile --file events.ndjson [--database-url URL]
    python -m bench.datafile --events 1000000   # generates the file with bench.generate

Each step runs `timeline-api` as a user would, in a process of its own, on an empty database
made for the run (a SQLite file under bench/results/, or a schema of its own on PostgreSQL,
dropped afterwards): import, the same import again (nothing changes), export. Then the
floor: the imported rows copied into a second empty database by SQL alone (no Python per
record), through the import's own bulk steps (indexes rebuilt after, full-text index and counts
made at once, statistics refreshed): what the database itself needs for this file, the bound
no loader of this schema can beat on this machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import floor
from timeline_api import migrate

RESULTS = Path(__file__).resolve().parent / "results"
SCHEMA = "timeline_bench_datafile"
FLOOR_SCHEMA = "timeline_bench_floor"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="An NDJSON file in the export format.")
    parser.add_argument("--events", type=int, default=1_000_000, help="Events to generate.")
    parser.add_argument("--database-url", help="postgresql+psycopg://... (default: SQLite).")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    file = args.file or generated(args.events)
    url = fresh_database(args.database_url)
    try:
        events = sum(1 for line in file.open("rb") if line.startswith(b'{"events"'))
        print(f"{file} ({file.stat().st_size / 2**20:,.0f} MiB, {events:,} events) into {url}")
        for step, command in (
            ("import", ["import", str(file)]),
            ("import again", ["import", str(file)]),
            ("export", ["export", "--output", str(RESULTS / "export.ndjson")]),
        ):
            seconds, peak = timed(command, url)
            rate = events / seconds
            print(f"{step:<13} {seconds:8.1f} s  {rate:10,.0f} events/s  peak PSS {peak:6,.0f} MiB")
        floor_url = fresh_database(args.database_url, FLOOR_SCHEMA)
        seconds = floor.copy(url, floor_url, events)
        rate = events / seconds
        print(f"{'SQL alone':<13} {seconds:8.1f} s  {rate:10,.0f} events/s  (the floor)")
    finally:
        drop(url, args.database_url)
        drop(url, args.database_url, FLOOR_SCHEMA)


def generated(events: int) -> Path:
    path = RESULTS / f"events-{events}.ndjson"
    if not path.exists():
        command = [sys.executable, "-m", "bench.generate", "--events", str(events)]
        subprocess.run([*command, "--output", str(path)], check=True)
    return path


def fresh_database(url: str | None, schema: str = SCHEMA) -> str:
    if url is None:
        path = RESULTS / f"{schema}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        options = {"options": f"-csearch_path={schema}"}
        url = make_url(url).update_query_dict(options).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def drop(url: str, given: str | None, schema: str = SCHEMA) -> None:
    if given is None:
        return
    engine = create_engine(given)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def timed(command: list[str], url: str) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of `timeline-api COMMAND` in a process of its own.

    The memory is the proportional set size (PSS) of the process and its children together,
    sampled every 50 ms: an SQLite import checks in a forked second process
    (services.alongside), which shares the pages of the code both loaded; summing their RSS
    would count those twice. For one process PSS is its RSS less its share of the libraries
    other processes map too.
    """
    started = time.perf_counter()
    cli = [sys.executable, "-m", "timeline_api.cli", *command]
    env = {**os.environ, "DATABASE_URL": url}
    child = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_pss(child.pid))
        time.sleep(0.05)
    if child.returncode:
        raise SystemExit(f"timeline-api {' '.join(command)} failed ({child.returncode})")
    return time.perf_counter() - started, peak / 2**10


def _tree_pss(pid: int) -> int:
    """KiB of memory `pid` and its children account for now (0 for a process that ended)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        pss = int(rollup.split("\nPss:", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return 0
    return pss + sum(_tree_pss(int(child)) for child in children)


if __name__ == "__main__":
    main()
