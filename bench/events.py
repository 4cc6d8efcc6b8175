"""The events list on a million generated events: latency, queries per request, memory.

    python -m bench.events [--events 1000000] [--database-url URL] [--repeat 20]

In process, without HTTP (`make bench-inprocess`): where the time of one request goes. The
figures that count are over HTTP, through gunicorn: `python -m bench.http` (`make bench`).

Without --database-url a SQLite file under bench/results/ is built (once; reused after).
Targets (checked at the end, exit 1 when missed): p95 under 150 ms for every request below
on SQLite, a fixed number of queries per page whatever its length, and under 64 MiB of
Python allocations to render a page of 500.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select, text

from timeline_api import migrate
from timeline_api.app import create_app
from timeline_api.dates import span_class
from timeline_api.models import Actor, Event, EventActor, EventType, Source, Tag, event_tags
from timeline_api.search import search_text
from timeline_api.services import imports

RESULTS = Path(__file__).resolve().parent / "results"
# Topical words among many others, so that a search matches a realistic share of events.
TOPICAL = [
    "espionage",
    "cyber",
    "army",
    "bounty",
    "court",
    "report",
    "leak",
    "soldiers",
    "prosecution",
    "warning",
]
WORDS = TOPICAL + [f"word{n}" for n in range(2000)]
REQUESTS = {
    "first page": "/v1/events",
    "year range": "/v1/events?from=2022&to=2022",
    "month range, 500": "/v1/events?from=2024-06&to=2024-06&limit=500",
    "newest first": "/v1/events?sort=-start&limit=100",
    "actor filter": "/v1/events?actor=actor-7&from=2020",
    "tag + range": "/v1/events?tag=tag-3&from=2023-01&to=2023-03",
    "search": "/v1/events?q=espionage+court&from=2024",
}
P95_TARGET_MS = 150
MEMORY_TARGET_MIB = 64


def basics() -> dict[str, Any]:
    return {
        "event_types": [{"id": f"type-{n}", "name": f"Type {n}"} for n in range(10)],
        "tags": [{"id": f"tag-{n}", "name": f"Tag {n}"} for n in range(20)],
        "actors": [{"id": f"actor-{n}", "name": f"Actor {n}", "kind": "agency"} for n in range(50)],
        "sources": [{"id": "bench", "publisher": "bench", "title": "Generated"}],
    }


def rows(count: int, ids: dict[str, list[int]]) -> Iterator[dict[str, Any]]:
    random.seed(7)
    first = date(1950, 1, 1)
    for n in range(count):
        start = first + timedelta(days=random.randrange(75 * 365))
        precision = random.choice(("day", "day", "day", "month", "year"))
        text_start = {
            "day": start.isoformat(),
            "month": start.isoformat()[:7],
            "year": str(start.year),
        }[precision]
        earliest = {
            "day": start,
            "month": start.replace(day=1),
            "year": start.replace(month=1, day=1),
        }[precision]
        latest = earliest + timedelta(days=random.choice((0, 0, 30, 400)))
        title = f"Event {n} " + " ".join(random.sample(WORDS, 3))
        summary = "Generated: " + " ".join(random.sample(WORDS, 5))
        yield {
            "id": n + 1,
            "slug": f"event-{n}",
            "title": title,
            "summary": summary,
            "type_id": random.choice(ids["types"]),
            "importance": random.randint(1, 5),
            "start": text_start,
            "start_precision": precision,
            "end": None,
            "end_precision": None,
            "is_approximate": False,
            "earliest": earliest,
            "latest": latest,
            "span_class": span_class(earliest, latest),
            "search_text": search_text(title, summary),
        }


def build(url: str, count: int) -> None:
    """Migrate and fill the database with `count` events, unless it has them already."""
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url})
    with app.extensions["db_sessions"].begin() as session:
        have = session.scalar(select(func.count(Event.id))) or 0
        if have >= count:
            return
        imports.load(session, basics())
        ids = {
            "types": list(session.scalars(select(EventType.id))),
            "actors": list(session.scalars(select(Actor.id))),
            "tags": list(session.scalars(select(Tag.id))),
        }
        source = session.scalar(select(Source.id))
    print(f"generating {count:,} events ...", file=sys.stderr)
    engine = app.extensions["db_engine"]
    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for row in rows(count, ids):
            batch.append(row)
            if len(batch) == 20_000:
                _write(connection, batch, ids, source)
                batch = []
        if batch:
            _write(connection, batch, ids, source)
        connection.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would give


def _write(
    connection: Any, batch: list[dict[str, Any]], ids: dict[str, list[int]], source: int | None
) -> None:
    from timeline_api.models import Citation

    connection.execute(insert(Event), batch)
    connection.execute(
        insert(EventActor),
        [
            {
                "event_id": row["id"],
                "actor_id": ids["actors"][row["id"] % 50],
                "role": "subject",
                "position": 0,
            }
            for row in batch
        ],
    )
    connection.execute(
        insert(event_tags),
        [{"event_id": row["id"], "tag_id": ids["tags"][row["id"] % 20]} for row in batch],
    )
    connection.execute(
        insert(Citation),
        [
            {"event_id": row["id"], "source_id": source, "note": "generated", "position": 0}
            for row in batch
        ],
    )


def measure(url: str, repeat: int, count: int) -> bool:
    app = create_app({"DATABASE_URL": url})
    client = app.test_client()
    statements: list[str] = []
    sa_event.listen(
        app.extensions["db_engine"],
        "before_cursor_execute",
        lambda *args: statements.append(args[2]),
    )
    met = True
    print(f"{'request':<20} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  status")
    requests = {**REQUESTS, "detail": f"/v1/events/event-{count // 2}"}
    for name, path in requests.items():
        timings, counts = [], set()
        for _ in range(repeat):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            counts.add(len(statements))
            assert response.status_code == 200, (path, response.get_data(as_text=True))
        p95 = statistics.quantiles(timings, n=20)[-1]
        ok = p95 < P95_TARGET_MS and len(counts) == 1
        met &= ok
        print(
            f"{name:<20} {statistics.median(timings):8.1f} {p95:8.1f} "
            f"{','.join(map(str, sorted(counts))):>8}  {'ok' if ok else 'MISSED'}"
        )
    for limit in (10, 500):  # queries per page do not grow with its length
        statements.clear()
        client.get(f"/v1/events?limit={limit}")
        print(f"queries for a page of {limit}: {len(statements)}")
    tracemalloc.start()
    client.get("/v1/events?limit=500")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"peak Python allocations for a page of 500: {peak:.1f} MiB")
    return met and peak < MEMORY_TARGET_MIB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{RESULTS / f'bench-{args.events}.sqlite3'}"
    build(url, args.events)
    sys.exit(0 if measure(url, args.repeat, args.events) else 1)


if __name__ == "__main__":
    main()
