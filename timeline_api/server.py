"""gunicorn, run from Python: `timeline-api serve` needs no other command or config file."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime
from typing import Any

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from timeline_api.app import create_app
from timeline_api.collector import collect_rarely


class JSONAccessLogger(Logger):  # type: ignore[misc]  # untyped library
    """One JSON object per request, with the request id the response also carries."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.syslog):
            return
        headers = dict(resp.headers)
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": headers.get("X-Request-ID"),
            "method": environ.get("REQUEST_METHOD"),
            # gunicorn's own error answers come with an environ lacking the path and query
            "path": environ.get("PATH_INFO") or getattr(req, "path", None),
            "query": environ.get("QUERY_STRING") or getattr(req, "query", None) or None,
            "status": _status(resp),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "remote": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        self.access_log.info(json.dumps(record, ensure_ascii=False))


def _status(resp: Any) -> int | None:
    """The status sent. gunicorn's own error answers (a request it cannot parse) set only
    `status` ("400 Bad Request"), not `status_code`: reading that raised, killing the worker."""
    code = getattr(resp, "status_code", None)
    if code is None and isinstance(resp.status, str):
        code = int(resp.status.split(None, 1)[0])
    return code


def write_problem(sock: Any, status: int, reason: str, message: str) -> None:
    """gunicorn's own error answers (400, 414, 431 for requests it cannot parse) in the API's
    problem+json shape, instead of its HTML page."""
    body = json.dumps(
        {"type": "about:blank", "title": reason, "status": status, "detail": message or reason}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


class Server(BaseApplication):  # type: ignore[misc]  # untyped library
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app()  # one app, engine and pool per worker


def default_workers() -> int:
    """One per core: a request is CPU work (Python, and SQLite in the worker), so more
    processes than cores add memory and contention, not throughput (README, bench/workers.py).
    """
    return multiprocessing.cpu_count()


# Threads overlap what runs without the GIL (SQLite's queries, slow clients) and keep
# connections alive; with PostgreSQL each needs a connection: keep it <= 2 x DB_POOL_SIZE.
DEFAULT_THREADS = 4


def quiet_collector(_worker: Any) -> None:
    """Keep Python's cycle collector off the app's own objects and out of most requests: a
    page allocates a few thousand objects, freed by reference counting (timeline_api.collector)."""
    collect_rarely()


def run(host: str, port: int, workers: int = 0, threads: int = 0) -> None:
    """Serve on host:port until SIGTERM or SIGINT, letting requests in flight finish.

    One thread per worker runs gunicorn's sync workers; more, our gthread workers (which also
    keep connections alive between requests, and read requests whole before a thread takes
    them: timeline_api/workers.py).
    """
    create_app()  # fail here, once, on bad configuration rather than in every worker
    # gunicorn writes its own errors with util.write_error alone (workers/base.py); workers
    # fork from this process, so they all answer in problem+json.
    util.write_error = write_problem
    threads = threads or DEFAULT_THREADS
    Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers or default_workers(),
            "threads": threads,
            "worker_class": "timeline_api.workers.BufferedRequestWorker" if threads > 1 else "sync",
            "accesslog": "-",
            "logger_class": JSONAccessLogger,
            "graceful_timeout": 20,
            "timeout": 30,
            "keepalive": 5,
            "max_requests": 10000,  # recycle workers now and then: bounded memory
            "max_requests_jitter": 1000,
            "forwarded_allow_ips": "127.0.0.1",
            "control_socket_disable": True,  # one fixed path would clash between instances
            "post_worker_init": quiet_collector,
        }
    ).run()
