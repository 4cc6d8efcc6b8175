"""The servers under test: `timeline-api serve` as deployed, and a pinned Datasette beside it.

Each runs as a subprocess in its own process group on a free port of 127.0.0.1, logging to a
file, and is stopped (SIGTERM, then SIGKILL) when its `with` block ends, however it ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

DATASETTE = "datasette==0.65.5"
STARTUP_SECONDS = 90
STOP_SECONDS = 25


@dataclass
class Server:
    """A running server: where it answers, and the process that leads it."""

    name: str
    url: str
    process: subprocess.Popen[bytes]

    def worker_rss_mb(self) -> dict[int, float]:
        """Resident memory of each worker (the leader's children; the leader when it has none)."""
        pids = _children(self.process.pid) or [self.process.pid]
        return {pid: rss for pid in pids if (rss := _rss_mb(pid)) is not None}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6  # kB (KiB) to MB
    return None


def datasette_binary(results: Path) -> Path:
    """Datasette in its own virtualenv under bench/results/: never a project dependency."""
    venv = results / DATASETTE.replace("==", "-")
    binary = venv / "bin" / "datasette"
    if not binary.exists():
        print(f"installing {DATASETTE} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", DATASETTE, "setuptools<81"],
            check=True,
        )
    return binary


def datasette_metadata(folder: Path) -> Path:
    """Metadata pointing Datasette's `_search=` at our external-content FTS5 table."""
    path = folder / "datasette-metadata.json"
    fts = {"fts_table": "events_fts", "fts_pk": "id"}
    path.write_text(json.dumps({"databases": {"bench": {"tables": {"events": fts}}}}, indent=2))
    return path


@contextmanager
def running(
    name: str, command: list[str], port: int, log: Path, env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """Start `command`, wait until it answers on `port`, stop it on leaving."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # its own process group: workers are stopped with it
        )
    server = Server(name, f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_up(server, log)
        yield server
    finally:
        stop(process)


def _wait_until_up(server: Server, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at startup; see {log}")
        try:
            with urllib.request.urlopen(server.url + "/", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not at /
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not answer within {STARTUP_SECONDS} s; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group we started; SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def serve_ours(database_url: str, port: int, log: Path) -> AbstractContextManager[Server]:
    """`timeline-api serve`, configured only by its environment, as deployed."""
    binary = Path(sys.executable).parent / "timeline-api"
    env = {"DATABASE_URL": database_url, "HOST": "127.0.0.1", "PORT": str(port)}
    return running("timeline-api", [str(binary), "serve"], port, log, env)


# Our indexes are partial (live events only), which Datasette's queries cannot use; these are
# the plain ones a Datasette user would add (and our schema had before revision 0005), so that
# Datasette is measured at its best rather than scanning.
DATASETTE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS datasette_events_earliest ON events (earliest, id)",
    "CREATE INDEX IF NOT EXISTS datasette_events_type ON events (type_id, earliest)",
)


def index_for_datasette(database: Path) -> None:
    with sqlite3.connect(database) as connection:
        for statement in DATASETTE_INDEXES:
            connection.execute(statement)
        connection.execute("PRAGMA analysis_limit = 1000")
        for name in ("datasette_events_earliest", "datasette_events_type"):
            connection.execute(f"ANALYZE {name}")


def serve_datasette(
    binary: Path, database: Path, port: int, log: Path
) -> AbstractContextManager[Server]:
    """Datasette on the same SQLite file, immutable, with a time limit no request reaches."""
    index_for_datasette(database)
    command = [
        str(binary),
        "serve",
        "--immutable",
        str(database),
        "--metadata",
        str(datasette_metadata(database.parent)),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "30000",
    ]
    return running("datasette", command, port, log)
