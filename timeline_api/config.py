"""Settings: defaults, overridden by the environment (DATABASE_URL, CORS_ORIGINS, ...)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_PATH = Path("instance") / "timeline.sqlite3"


class ConfigError(RuntimeError):
    """A setting that cannot work; the message names it."""


def default_database_url() -> str:
    """A SQLite file under instance/, made absolute so every process finds the same file."""
    return f"sqlite:///{DEFAULT_DATABASE_PATH.resolve()}"


@dataclass(frozen=True)
class Config:
    """Everything the app reads from its environment."""

    DATABASE_URL: str
    CORS_ORIGINS: tuple[str, ...]
    CACHE_MAX_AGE: int
    STATEMENT_TIMEOUT_MS: int
    DB_POOL_SIZE: int
    READ_REQUIRES_TOKEN: bool
    MAX_CONTENT_LENGTH: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Config:
        environ = os.environ if environ is None else environ
        origins = environ.get("CORS_ORIGINS", "*")
        return cls(
            DATABASE_URL=environ.get("DATABASE_URL") or default_database_url(),
            CORS_ORIGINS=tuple(o.strip() for o in origins.split(",") if o.strip()),
            CACHE_MAX_AGE=_integer(environ, "CACHE_MAX_AGE", 60),
            STATEMENT_TIMEOUT_MS=_integer(environ, "STATEMENT_TIMEOUT_MS", 5000),
            DB_POOL_SIZE=_integer(environ, "DB_POOL_SIZE", 2),
            READ_REQUIRES_TOKEN=_flag(environ, "READ_REQUIRES_TOKEN"),
            MAX_CONTENT_LENGTH=_integer(environ, "MAX_CONTENT_LENGTH", 10 * 2**20),
        )

    def as_flask(self) -> dict[str, Any]:
        """The settings plus what flask-smorest needs to build and serve the spec."""
        return {**self.__dict__, **API_SETTINGS}


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, not {raw!r}.")
    return value


def _flag(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be true or false, not {raw!r}.")


API_SETTINGS: dict[str, Any] = {
    "API_TITLE": "timeline-api",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    "OPENAPI_SWAGGER_UI_CONFIG": {"displayRequestDuration": True, "tryItOutEnabled": True},
    "JSON_SORT_KEYS": False,
}
