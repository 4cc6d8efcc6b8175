"""The API's writes while a CLI import runs (issue 12): answered at once, or 503 for how long.

    python -m bench.import_writes [--events 100000] [--database-url URL] [--every 0.25]

Generates the dataset (bench.generate, cached in bench/results/), makes a fresh database
(SQLite by default), serves it with `timeline-api serve` on a free port, starts
`timeline-api import` of the file, and meanwhile creates a tag through the API every `--every`
seconds until the import ends. Prints how many writes were answered 201 and 503, their median
and slowest latency, and the stretch of time in which writes were refused (SQLite: the swap).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.databases import Database, recreate
from bench.generate import generate
from bench.servers import free_port, serve_ours

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Write:
    at: float  # seconds since the import started
    status: int
    seconds: float


def cli(database: Database, *arguments: str) -> str:
    binary = Path(sys.executable).parent / "timeline-api"
    done = subprocess.run(
        [str(binary), *arguments],
        env={**os.environ, "DATABASE_URL": database.url},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def create_tag(url: str, token: str, n: int) -> tuple[int, float]:
    body = json.dumps({"id": f"during-import-{n}", "name": f"Written during import {n}"})
    request = urllib.request.Request(
        f"{url}/v1/tags",
        data=body.encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def measure(database: Database, dataset: Path, every: float) -> list[Write]:
    recreate(database)
    cli(database, "db", "upgrade")
    token = cli(database, "tokens", "create", "--name", "bench").split()[-1]
    log = RESULTS / "import-writes-serve.log"
    with serve_ours(database.url, free_port(), log) as server:
        binary = Path(sys.executable).parent / "timeline-api"
        importing = subprocess.Popen(
            [str(binary), "import", str(dataset)],
            env={**os.environ, "DATABASE_URL": database.url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started, writes = time.monotonic(), list[Write]()
        while importing.poll() is None:
            status, seconds = create_tag(server.url, token, len(writes))
            writes.append(Write(time.monotonic() - started, status, seconds))
            time.sleep(max(0.0, every - seconds))
        if importing.returncode != 0:
            raise RuntimeError(f"the import failed ({importing.returncode})")
        print(f"import: {time.monotonic() - started:.1f} s", file=sys.stderr)
    return writes


def report(writes: list[Write]) -> None:
    by_status: dict[int, list[Write]] = {}
    for write in writes:
        by_status.setdefault(write.status, []).append(write)
    for status, group in sorted(by_status.items()):
        times = sorted(w.seconds * 1000 for w in group)
        print(
            f"{status}: {len(group)} writes, median {statistics.median(times):.1f} ms, "
            f"slowest {times[-1]:.1f} ms"
        )
    refused = [w for w in writes if w.status != 201]
    if refused:
        first, last = refused[0], refused[-1]
        span = last.at + last.seconds - first.at
        print(f"refused from {first.at:.1f} s to {last.at + last.seconds:.1f} s ({span:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="postgresql+psycopg://... (default: SQLite)")
    parser.add_argument("--every", type=float, default=0.25, help="seconds between writes")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    dataset = RESULTS / f"events-{args.events}-s{args.seed}.ndjson"
    if not dataset.exists():
        generate(args.events, args.seed, dataset, progress=True)
    if args.database_url:
        database = Database("postgresql", args.database_url)
    else:
        folder = RESULTS / f"import-writes-{args.events}"
        folder.mkdir(exist_ok=True)
        database = Database("sqlite", f"sqlite:///{(folder / 'timeline.sqlite3').resolve()}")
    report(measure(database, dataset, args.every))


if __name__ == "__main__":
    main()
