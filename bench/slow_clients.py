"""A normal GET's latency, idle and while slow clients dribble headers or bodies (issue 12).

    python -m bench.slow_clients --database /tmp/seeded.sqlite3 [--slow 20] [--mode headers]
        [--threads 4] [--workers 2] [--token TOKEN]

The database must be migrated and seeded (`timeline-api db upgrade && timeline-api seed`).
`timeline-api serve` runs on a free port; each slow client sends the start of a request, then
one byte a second (a header line, or a body byte of a 100,000-byte body), reconnecting when
dropped. Prints median, p99 and slowest of 50 sequential `GET /v1/events?limit=5` (a request
not answered in 10 s counts as 10 s), idle and then with the slow clients.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def latencies(url: str, count: int = 50) -> tuple[float, float, float]:
    """Median, p99 and slowest in milliseconds of `count` GETs in a row."""
    times = []
    for _ in range(count):
        started = time.monotonic()
        try:
            urllib.request.urlopen(url, timeout=TIMEOUT).read()
            times.append(time.monotonic() - started)
        except OSError:
            times.append(TIMEOUT)
    times.sort()
    p99 = times[max(0, round(len(times) * 0.99) - 1)]
    median, p99, slowest = (round(t * 1000, 1) for t in (statistics.median(times), p99, times[-1]))
    return median, p99, slowest


def dribble(port: int, mode: str, token: str, stop: threading.Event) -> None:
    """One slow client until `stop`: a byte a second, reconnecting when dropped."""
    if mode == "headers":
        start, byte = b"GET /v1/events HTTP/1.1\r\nHost: x\r\n", b"X-a: b\r\n"
    else:
        start = (
            f"POST /v1/tags HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        ).encode()
        byte = b" "
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
                client.sendall(start)
                while not stop.wait(1):
                    client.sendall(byte)
        except OSError:
            stop.wait(0.1)  # dropped by the server: connect again, as an attacker would


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a migrated, seeded SQLite file")
    parser.add_argument("--slow", type=int, default=20)
    parser.add_argument("--mode", choices=("headers", "body"), default="headers")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="4")
    parser.add_argument("--token", default="", help="a write token, for --mode body")
    options = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "timeline_api.cli", "serve", "--port", str(port)),
            *("--workers", options.workers, "--threads", options.threads),
        ],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{options.database}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1/events?limit=5"
    stop = threading.Event()
    try:
        for _ in range(100):  # polling a starting server
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        idle = latencies(url)
        for _ in range(options.slow):
            args = (port, options.mode, options.token, stop)
            threading.Thread(target=dribble, args=args, daemon=True).start()
        time.sleep(3)  # let every slow client connect and start dribbling
        slow = latencies(url)
        print(json.dumps({**vars(options), "idle_ms": idle, "with_slow_clients_ms": slow}))
    finally:
        stop.set()
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
