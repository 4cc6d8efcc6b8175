"""The `timeline-api` command: serve, db upgrade, seed, export, openapi."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from timeline_api import migrate
from timeline_api.app import create_app
from timeline_api.config import Config, ConfigError
from timeline_api.models import Event
from timeline_api.queries.export import export_dataset
from timeline_api.services import dataset

SEED_FILE = Path(__file__).resolve().parent / "seed" / "timeline.yaml"


@click.group()
def cli() -> None:
    """A sourced timeline of dated events, served as a JSON API."""


def main() -> None:
    try:
        cli()
    except ConfigError as error:
        raise SystemExit(f"timeline-api: {error}") from None


def _url() -> str:
    return Config.from_environ().DATABASE_URL


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@cli.group("db")
def db_group() -> None:
    """Migrate the database named by DATABASE_URL."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade to REVISION (default: the latest)."""
    url = _url()
    _ensure_sqlite_folder(url)
    migrate.upgrade(url, revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade to REVISION ("base" empties the database)."""
    migrate.downgrade(_url(), revision)
    click.echo(f"database at {revision}")


@cli.command()
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
@click.option("--if-empty", is_flag=True, help="Load only when the database has no events.")
def seed(file: Path | None, if_empty: bool) -> None:
    """Load the seed dataset (or FILE); loading twice changes nothing."""
    app = create_app()
    sessions = app.extensions["db_sessions"]
    with sessions.begin() as session:
        if if_empty and session.scalar(select(func.count(Event.id))):
            click.echo("database already has events; not seeding")
            return
        try:
            summary = dataset.load(session, dataset.read_file(file or SEED_FILE))
        except dataset.DatasetError as error:
            for problem in error.problems:
                click.echo(f"error: {problem}", err=True)
            raise SystemExit(1) from None
    for name in ("created", "updated", "unchanged"):
        counts: Any = getattr(summary, name)
        listed = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)
        click.echo(f"{name}: {listed or 'nothing'}")


@cli.command()
@click.option("--output", "-o", type=click.File("w"), default="-", help="File (default stdout).")
def export(output: Any) -> None:
    """Write the whole database as JSON, in the format `seed` loads."""
    app = create_app()
    with app.extensions["db_sessions"]() as session:
        document: dict[str, list[Any]] = {}
        for name, item in export_dataset(session):
            document.setdefault(name, []).append(item)
    json.dump(document, output, ensure_ascii=False, indent=2, default=str)
    output.write("\n")


@cli.command()
def openapi() -> None:
    """Print the OpenAPI document as YAML (the committed openapi.yaml)."""
    from timeline_api.spec import as_yaml

    sys.stdout.write(as_yaml(create_app({"DATABASE_URL": "sqlite://"})))


@cli.command()
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="HOST or 127.0.0.1"
)
@click.option(
    "--port",
    default=lambda: int(os.environ.get("PORT", "8000")),
    type=int,
    show_default="PORT or 8000",
)
@click.option(
    "--workers",
    default=lambda: int(os.environ.get("WEB_CONCURRENCY", "0")),
    type=int,
    help="gunicorn workers (default: 2 per core + 1).",
)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading instead.")
def serve(host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the API (gunicorn; --dev for Flask's development server)."""
    if dev:
        create_app().run(host=host, port=port, debug=True)
        return
    from timeline_api.server import run

    run(host, port, workers)
