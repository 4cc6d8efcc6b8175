"""gunicorn worker class and count, measured: `timeline-api serve` under wrk, config by config.

    python -m bench.workers [--events 100000] [--seconds 10] [--rounds 2] [--configs 2x1,4x2]
                            [--mix windows|records]

Builds (once) a SQLite file of generated events with bench.events, then for each config
WORKERSxTHREADS (1 thread: gunicorn's sync worker; more: gthread) starts the server exactly
as deployed, on 127.0.0.1, and drives it with wrk (Debian package `wrk`) at 1 and 8
connections, each cell `--seconds` long, asking for pages of 50 events in date windows of
30 to 365 days (or, with `--mix records`, for single events: less SQL, more Python).
Rounds run the configs in alternating order, so that a noisy neighbour does not favour one;
the table gives each cell's median over rounds.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.events import RESULTS, build

CONFIGS = "2x1,3x1,4x1,5x1,2x2,2x4,3x2,3x4"
CONNECTIONS = (1, 8)
PORT = 18731


@dataclass(frozen=True)
class Cell:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def windows(events: int, count: int = 500) -> list[str]:
    """Pages of events in date windows of 30 to 365 days, seeded."""
    pick = random.Random(7)
    paths = []
    for _ in range(count):
        first = date(1950, 1, 1) + timedelta(days=pick.randrange(74 * 365))
        last = first + timedelta(days=pick.randint(30, 365))
        paths.append(f"/v1/events?from={first.isoformat()}&to={last.isoformat()}")
    return paths


def records(events: int, count: int = 500) -> list[str]:
    """Single events: little SQL, so mostly the Python a request costs."""
    pick = random.Random(7)
    return [f"/v1/events/event-{pick.randrange(events)}" for _ in range(count)]


MIXES = {"windows": windows, "records": records}


def lua_script(paths: list[str], folder: Path) -> Path:
    script = folder / "windows.lua"
    listed = ",\n".join(f'  "{path}"' for path in paths)
    script.write_text(
        f"paths = {{\n{listed}\n}}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1])\n'
        "end\n"
    )
    return script


def serve(url: str, workers: int, threads: int) -> subprocess.Popen[bytes]:
    environ = {**os.environ, "DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "timeline_api.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(PORT),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    quiet = subprocess.DEVNULL  # a JSON line per request: written, as deployed, then dropped
    server = subprocess.Popen(command, env=environ, stdout=quiet, stderr=quiet)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1).close()
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.2)  # polling a starting server


def wrk(script: Path, connections: int, seconds: int) -> Cell:
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--latency", "-s", str(script), f"http://127.0.0.1:{PORT}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate is not None, out
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Cell(
        float(rate[1]),
        _percentile(out, "50%"),
        _percentile(out, "99%"),
        int(errors[1]) if errors else 0,
    )


def _percentile(out: str, which: str) -> float:
    found = re.search(rf"^\s+{which}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    assert found is not None, out
    return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]


def measure(url: str, config: str, script: Path, seconds: int) -> dict[int, Cell]:
    workers, threads = (int(part) for part in config.split("x"))
    server = serve(url, workers, threads)
    try:
        wrk(script, 8, 2)  # warm the workers and the page cache
        return {connections: wrk(script, connections, seconds) for connections in CONNECTIONS}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def table(results: dict[str, list[dict[int, Cell]]]) -> str:
    """One row per config: each connection count's median req/s, p50 and p99 over rounds."""
    header = "".join(f"{f'c={c}: req/s   p50   p99 ms':>30}" for c in CONNECTIONS)
    lines = [f"{'workers x threads':<18}{header}"]
    for config, rounds in results.items():
        row = f"{config + (' sync' if config.endswith('x1') else ' gthread'):<18}"
        for connections in CONNECTIONS:
            cells = [measured[connections] for measured in rounds]
            rate = statistics.median(cell.requests_per_second for cell in cells)
            p50 = statistics.median(cell.p50_ms for cell in cells)
            p99 = statistics.median(cell.p99_ms for cell in cells)
            errors = sum(cell.errors for cell in cells)
            row += f"{rate:>16.1f} {p50:6.1f} {p99:6.1f}"
            row += f" ({errors} errors)" if errors else ""
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--configs", default=CONFIGS, help=f"default: {CONFIGS}")
    parser.add_argument("--mix", choices=MIXES, default="windows")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{RESULTS / f'bench-{args.events}.sqlite3'}"
    build(url, args.events)
    configs = args.configs.split(",")
    results: dict[str, list[dict[int, Cell]]] = {config: [] for config in configs}
    with tempfile.TemporaryDirectory() as folder:
        script = lua_script(MIXES[args.mix](args.events), Path(folder))
        for round_ in range(args.rounds):
            for config in configs if round_ % 2 == 0 else configs[::-1]:
                results[config].append(measure(url, config, script, args.seconds))
                print(f"round {round_ + 1}: {config} done", file=sys.stderr)
    print(table(results))


if __name__ == "__main__":
    main()
