"""`timeline-api serve`: gunicorn on a real port, JSON access logs, a clean stop on SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from timeline_api import migrate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling a starting server, not waiting for an effect


def test_serve_logs_json_lines_with_the_request_id_and_stops_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    migrate.upgrade(url)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "timeline_api.cli", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/events?from=2024", headers={"X-Request-ID": "probe-1"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            assert response.headers["X-Request-ID"] == "probe-1"
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    probe = [record for record in records if record["request_id"] == "probe-1"]
    assert probe and probe[0]["path"] == "/v1/events"
    assert probe[0]["status"] == 200
    assert probe[0]["query"] == "from=2024"


@pytest.mark.parametrize(
    ("threads", "worker"), [("1", "sync"), ("4", "timeline_api.workers.BufferedRequestWorker")]
)
def test_serve_runs_gthread_workers_when_given_threads(
    tmp_path: Path, threads: str, worker: str
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    migrate.upgrade(url)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "timeline_api.cli", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "DATABASE_URL": url, "GUNICORN_THREADS": threads},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/v1/events")
            first = connection.getresponse()
            first.read()
        finally:
            connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert first.status == 200
    assert f"Using worker: {worker}" in err
    # Only gthread workers keep a connection open for the next request.
    assert (first.getheader("Connection") == "close") is (worker == "sync")


def raw_exchange(port: int, request: bytes) -> bytes:
    """Send bytes as they are and read the answer to the end (gunicorn closes after an error)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(request)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


# (request, status); gunicorn logs only those it read a request line and headers of.
REFUSED_BY_GUNICORN = [
    (b"NOT A REQUEST\r\n\r\n", 400),
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    # Two lengths: a request smuggling attempt, read whole before refused, so logged.
    (b"POST /v1/tags HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
]


def test_requests_gunicorn_refuses_itself_get_problems_and_log_lines(tmp_path: Path) -> None:
    """gunicorn answers these before the app sees them, in HTML, and its access logger raised
    on them (killing the worker)."""
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    migrate.upgrade(url)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "timeline_api.cli", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        answers = [raw_exchange(port, request) for request, _status in REFUSED_BY_GUNICORN]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/events", timeout=5) as after:
            assert after.status == 200  # the worker lived through them
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "Traceback" not in err
    for answer, (_request, status) in zip(answers, REFUSED_BY_GUNICORN, strict=True):
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(f"HTTP/1.1 {status} ".encode()), head
        assert b"Content-Type: application/problem+json" in head
        assert json.loads(body)["status"] == status
    logged = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [(line["path"], line["status"]) for line in logged] == [
        ("/healthz", 200),
        ("/v1/tags", 400),
        ("/v1/events", 200),
    ]


def test_slow_clients_hold_no_thread(tmp_path: Path) -> None:
    """Ten clients dribbling a head or a body, a byte every 0.1 s, against one worker with two
    threads: other requests are answered as if they were not there. (gthread as gunicorn ships
    it gave each of them a thread to wait in, and answered nobody else.)"""
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    migrate.upgrade(url)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "timeline_api.cli", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "DATABASE_URL": url, "GUNICORN_THREADS": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    slow: list[socket.socket] = []
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        starts = [b"GET /v1/events HTTP/1.1\r\nHost: x\r\n"] * 5 + [
            b"POST /v1/tags HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        ] * 5
        for start in starts:
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(start)
            slow.append(client)
        stop = threading.Event()

        def dribble() -> None:
            while not stop.wait(0.1):
                for client in slow:
                    client.send(b"x")

        dribbler = threading.Thread(target=dribble)
        dribbler.start()
        try:
            took = []
            for _ in range(10):
                started = time.monotonic()
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/v1/events?limit=5", timeout=3
                ) as response:
                    assert response.status == 200
                took.append(time.monotonic() - started)
        finally:
            stop.set()
            dribbler.join(timeout=5)
    finally:
        for client in slow:
            client.close()
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert max(took) < 1.0, took
