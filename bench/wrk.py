"""One cell of the table: wrk driving one server with one request row at N connections."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "cycle.lua"
REQUEST_TIMEOUT_S = 30  # gunicorn's own worker timeout: a slower answer is an error anyway


class RequestsFailed(RuntimeError):
    """A server answered a bench request with an error: the row measures nothing."""


@dataclass(frozen=True)
class Cell:
    """What wrk measured: throughput, latency percentiles, and every kind of error."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers, timeouts and socket errors

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def require_wrk() -> str:
    """wrk's path, or a clear way out."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "bench: wrk is not installed. Install it with `apt-get install -y wrk` "
            "(`make bench` does so on Debian) and run again."
        )
    return found


def check(base_url: str, paths: list[str], count: int = 2) -> None:
    """The first `count` paths answer 200 with JSON; else raise, quoting the answer."""
    for path in paths[:count]:
        try:
            with urllib.request.urlopen(base_url + path, timeout=REQUEST_TIMEOUT_S * 2) as answer:
                json.load(answer)
        except urllib.error.HTTPError as error:
            body = error.read(600).decode("utf-8", "replace")
            raise RequestsFailed(f"{error.code} from {base_url}{path}: {body}") from None
        except (OSError, ValueError) as error:
            raise RequestsFailed(f"{base_url}{path}: {error}") from None


def run(base_url: str, paths_file: Path, connections: int, seconds: int) -> Cell:
    """Drive `base_url` for `seconds` with `connections`, cycling through `paths_file`."""
    command = [
        require_wrk(),
        f"--threads={min(connections, 2)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={REQUEST_TIMEOUT_S}s",
        f"--script={SCRIPT}",
        base_url,
        "--",
        str(paths_file),
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + REQUEST_TIMEOUT_S + 30,
        check=False,
    )
    summary = next(
        (line for line in reversed(done.stdout.splitlines()) if line.startswith("{")), None
    )
    if done.returncode != 0 or summary is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    figures = json.loads(summary)
    errors = sum(figures[key] for key in ("non_2xx", "connect", "read", "write", "timeout"))
    return Cell(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
    )
