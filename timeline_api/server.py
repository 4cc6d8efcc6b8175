"""gunicorn, run from Python so that `timeline-api serve` needs no other command."""

from __future__ import annotations

import multiprocessing
from typing import Any

from gunicorn.app.base import BaseApplication

from timeline_api.app import create_app


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app()


def run(host: str, port: int, workers: int = 0) -> None:
    """Serve on host:port; 0 workers means 2 per core + 1, as gunicorn advises."""
    Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers or multiprocessing.cpu_count() * 2 + 1,
            "accesslog": "-",
            "graceful_timeout": 20,
            "timeout": 30,
            "preload_app": True,
        }
    ).run()
