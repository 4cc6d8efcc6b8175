"""What a page of events costs in Python once the SQL has run: dump, JSON, ETag, compression.

    python -m bench.render [--events 50000] [--database-url URL] [--repeat 50] [--profile N]

Builds (once) a SQLite file of generated events with bench.events, then, for pages of 50 and
500, times the whole request through the test client, the same request with its page already
loaded (what Python costs around the SQL), and each step on its own: the dump (compiled, and
marshmallow's own), the JSON encoding (orjson, and the standard library's) and the ETag hash.
`--profile N` adds the N costliest functions of the request (cProfile, by own time). Medians
of CPU milliseconds.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema

from bench.events import RESULTS, build
from timeline_api import db
from timeline_api.api.paging import envelope
from timeline_api.app import create_app
from timeline_api.queries import events as queries
from timeline_api.schemas.common import Documented
from timeline_api.schemas.events import EventPageSchema, EventQuery

# A wide window: every page is full, and the total is counted as in a real request.
PATH = "/v1/events?from=1990&to=2020"
ACCEPT_ENCODINGS = ("identity", "gzip", "br")


def median_ms(step: Callable[[], Any], repeat: int) -> float:
    """Median CPU time of `step` in this thread: steadier than wall time on a shared machine,
    and SQLite runs in the calling thread, so its work counts too."""
    timings = []
    for _ in range(repeat):
        started = time.thread_time()
        step()
        timings.append((time.thread_time() - started) * 1000)
    return statistics.median(timings)


def steps(app: Flask, limit: int, repeat: int) -> dict[str, float]:
    """Median ms of the whole request, its SQL, and each step after the SQL."""
    path = f"{PATH}&limit={limit}"
    client = app.test_client()
    found: dict[str, float] = {"request": median_ms(lambda: client.get(path), repeat)}
    with app.test_request_context(path):
        filters = EventQuery().load({"from": "1990", "to": "2020", "limit": str(limit)})
        found["SQL (queries.page)"] = median_ms(lambda: queries.page(db.session(), filters), repeat)
        page = queries.page(db.session(), filters)
    # The same request with the page already loaded: what Python costs around the SQL.
    with mock.patch.object(queries, "page", lambda *_args, **_kwargs: page):
        for encoding in ACCEPT_ENCODINGS:
            found[f"request - SQL, {encoding}"] = median_ms(
                partial(client.get, path, headers={"Accept-Encoding": encoding}), repeat
            )
    stdlib = DefaultJSONProvider(app)  # what the app used before OrjsonProvider
    stdlib.sort_keys, stdlib.ensure_ascii, stdlib.compact = False, False, False
    with app.test_request_context(path):
        body, _headers = envelope(page, queries.ORDERS)
        schema = EventPageSchema()
        found["dump (schemas)"] = median_ms(lambda: schema.dump(body), repeat)
        with mock.patch.object(Documented, "dump", Schema.dump):
            found["dump, marshmallow's"] = median_ms(lambda: schema.dump(body), repeat)
        dumped = schema.dump(body)
        found["JSON encode"] = median_ms(lambda: app.json.response(dumped), repeat)
        found["JSON, stdlib's"] = median_ms(lambda: stdlib.response(dumped), repeat)
        data = client.get(path).get_data()
        found["ETag (md5)"] = median_ms(lambda: hashlib.md5(data).hexdigest(), repeat)
        found["body KiB"] = len(data) / 1024
    return found


def profile(app: Flask, limit: int, top: int) -> None:
    """The `top` functions by own time over 50 requests for a page of `limit`."""
    client = app.test_client()
    path = f"{PATH}&limit={limit}"
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(50):
        client.get(path)
    profiler.disable()
    print(f"\n--- cProfile, 50 requests for a page of {limit}, by own time ---")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{Path(RESULTS) / f'bench-{args.events}.sqlite3'}"
    build(url, args.events)
    app = create_app({"DATABASE_URL": url})
    results = {limit: steps(app, limit, args.repeat) for limit in (50, 500)}
    print(f"{'median CPU ms':<22} {'page of 50':>11} {'page of 500':>12}")
    for name in results[50]:
        print(f"{name:<22} {results[50][name]:11.2f} {results[500][name]:12.2f}")
    if args.profile:
        for limit in (50, 500):
            profile(app, limit, args.profile)


if __name__ == "__main__":
    main()
