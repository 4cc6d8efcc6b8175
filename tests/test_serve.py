"""`timeline-api serve`: gunicorn on a real port, JSON access logs, a clean stop on SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
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


@pytest.mark.parametrize(("threads", "worker"), [("1", "sync"), ("4", "gthread")])
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
