"""The HTTP benchmark of issue 7: timeline-api beside Datasette on the same data, under wrk.

    python -m bench.http [--events 1000000] [--sizes 100000,1000000] [--database both]
                         [--connections 1,8] [--duration 6] [--skip-datasette] [--reuse]

For each size: generate the dataset (cached in bench/results/), load it with `timeline-api db
upgrade` and `timeline-api import` into a fresh SQLite file and a fresh PostgreSQL database,
start `timeline-api serve` as deployed and Datasette (pinned, in its own virtualenv) on the same
SQLite file, and drive each request row at each connection count with wrk, ours and Datasette
in turn. Prints a markdown table for docs/performance.md and the targets of issue 7, and
writes both, with the raw figures, to bench/results/. Exit status 1 when a server answered
with errors (or, with --strict, when a target is missed).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import databases, generate, plans, report, servers, workload, wrk
from bench.databases import Database
from bench.report import DATASETTE, OURS, Key, Results, targets_section
from bench.servers import Server

RESULTS = Path(__file__).resolve().parent / "results"
Rss = dict[str, dict[int, float]]  # server → worker pid → largest RSS seen, MB


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="the main size")
    parser.add_argument(
        "--sizes", help="comma-separated sizes (default: 100000 and --events, to show growth)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgresql-server", default=databases.POSTGRESQL_SERVER)
    parser.add_argument("--connections", default="1,8", help="comma-separated (default 1,8)")
    parser.add_argument("--duration", type=int, default=6, help="seconds per cell (default 6)")
    parser.add_argument("--skip-datasette", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database that already holds the dataset"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    args.connections = [int(n) for n in args.connections.split(",")]
    args.sizes = (
        sorted(int(n) for n in args.sizes.split(","))
        if args.sizes
        else sorted({min(100_000, args.events), args.events})
    )
    args.kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    return args


def say(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def dataset(size: int, seed: int) -> Path:
    """The generated file, made once per size and seed."""
    path = RESULTS / f"events-{size}-s{seed}.ndjson"
    if not path.exists():
        say(f"generating {size:,} events (seed {seed}) into {path.name}")
        generate.generate(size, seed, path, progress=True)
    return path


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        " (modified)" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


@dataclass
class Bench:
    """One run: its options, what it measured so far, and Datasette when it takes part."""

    args: argparse.Namespace
    results: Results
    datasette: Path | None
    files: dict[tuple[str, str], Path] = field(default_factory=dict)  # (row, server) → paths

    def size(self, size: int) -> None:
        """Generate, load, serve and measure one dataset size."""
        say(f"== {size:,} events ==")
        source = dataset(size, self.args.seed)
        loaded = [
            databases.sqlite(RESULTS, size, self.args.seed)
            if kind == "sqlite"
            else databases.postgresql(self.args.postgresql_server, size, self.args.seed)
            for kind in self.args.kinds
        ]
        for database in loaded:
            seconds = databases.load(database, source, size, self.args.reuse)
            if seconds:
                self.results.import_seconds[f"{size} {database.kind}"] = seconds
        rows = workload.rows(self.args.seed, databases.ids(loaded[0]))
        self.results.rows = [(row.name, row.group) for row in rows]
        self.files = write_paths(RESULTS / f"paths-{size}-s{self.args.seed}", rows)
        cells = len(rows) * len(self.args.connections) * (len(loaded) + bool(self.datasette))
        say(f"{cells} cells of {self.args.duration} s: {cells * self.args.duration / 60:.0f} min")
        for database in loaded:
            self.measure(size, database, rows)
            if database.kind == "sqlite" and size == max(self.args.sizes):
                say("checking query plans for scans of events")
                self.results.scans = plans.scans(database.url, rows)

    def measure(self, size: int, database: Database, rows: list[workload.Row]) -> None:
        """Start the servers on `database`, measure every row, stop them."""
        log = RESULTS / f"servers-{size}-{database.kind}.log"
        log.unlink(missing_ok=True)  # access logs grow fast: keep the last run's only
        say(f"starting servers on {database.kind} (logs: {log.name})")
        with ExitStack() as stack:
            ours = stack.enter_context(servers.serve_ours(database.url, servers.free_port(), log))
            theirs: Server | None = None
            if database.kind == "sqlite":
                warm(database.sqlite_file)
                if self.datasette:
                    theirs = stack.enter_context(
                        servers.serve_datasette(
                            self.datasette, database.sqlite_file, servers.free_port(), log
                        )
                    )
            rss: Rss = {}
            for row in rows:
                contenders = [(OURS, ours, row.ours)]
                if theirs and row.datasette:
                    contenders.append((DATASETTE, theirs, row.datasette))
                self.row(Key(size, database.kind, "", row.name, 0), contenders, rss)
        for label, workers in rss.items():
            key = f"{size:,} events, {database.kind}, {label}"
            self.results.rss_mb[key] = sorted(workers.values())

    def row(self, where: Key, contenders: list[tuple[str, Server, list[str]]], rss: Rss) -> None:
        """Every cell of one row, interleaved: ours, Datasette, ours, Datasette, ..."""
        failed: set[str] = set()
        for name, server, paths in contenders:
            try:
                wrk.check(server.url, paths)
            except wrk.RequestsFailed as error:
                self.fail(replace(where, server=name), str(error))
                failed.add(name)
        for clients in self.args.connections:
            for name, server, _paths in contenders:
                if name in failed:
                    continue
                key = replace(where, server=name, connections=clients)
                cell = wrk.run(server.url, self.files[(key.row, name)], clients, self.args.duration)
                self.results.cells[key] = cell
                say(
                    f"{key.size:>9,} {key.database:<10} {key.row:<26} {clients:>2} clients "
                    f"{name:<9} {cell.per_second:8,.1f} req/s  p50 {cell.p50_ms:7,.1f} ms  "
                    f"p99 {cell.p99_ms:7,.1f} ms"
                )
                workers = rss.setdefault(name, {})
                for pid, mb in server.worker_rss_mb().items():
                    workers[pid] = max(mb, workers.get(pid, 0.0))
                if cell.errors:
                    self.fail(key, f"{cell.errors} errors in {cell.requests} requests")
                    failed.add(name)

    def fail(self, key: Key, error: str) -> None:
        """Loudly: the row is abandoned for this server, and the run will exit 1."""
        for clients in self.args.connections:
            self.results.failures[replace(key, connections=clients)] = error
        say(f"!!! {key.server} failed on '{key.row}' ({key.size:,}, {key.database}): {error}")


def write_paths(folder: Path, rows: list[workload.Row]) -> dict[tuple[str, str], Path]:
    """One file of request paths per row and server, for wrk's script to cycle through."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for number, row in enumerate(rows):
        for server, paths in ((OURS, row.ours), (DATASETTE, row.datasette)):
            if paths:
                path = folder / f"{number:02d}-{server}.txt"
                path.write_text("\n".join(paths) + "\n")
                files[(row.name, server)] = path
    return files


def warm(file: Path) -> None:
    """Read the SQLite file once, so that neither server pays for a cold page cache."""
    with file.open("rb") as data:
        while data.read(1 << 24):
            pass


def main() -> None:
    args = arguments()
    wrk.require_wrk()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    RESULTS.mkdir(exist_ok=True)
    results = Results(commit=commit(), sizes=args.sizes)
    uses_datasette = "sqlite" in args.kinds and not args.skip_datasette
    datasette = servers.datasette_binary(RESULTS) if uses_datasette else None
    started = time.monotonic()
    bench = Bench(args, results, datasette)
    for size in args.sizes:
        bench.size(size)
    command = "python -m bench.http " + " ".join(sys.argv[1:])
    text = report.markdown(results, command.strip(), args.duration)
    (RESULTS / "http-latest.md").write_text(text)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
    (RESULTS / f"http-{stamp}.json").write_text(results.to_json())
    say(f"done in {(time.monotonic() - started) / 60:.1f} min; see bench/results/http-latest.md")
    print(text)
    _section, met = targets_section(results)
    sys.exit(1 if results.failures or (args.strict and not met) else 0)


if __name__ == "__main__":
    main()
