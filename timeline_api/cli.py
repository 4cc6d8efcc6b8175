"""The `timeline-api` command: serve, db upgrade, seed, export, openapi."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from timeline_api import migrate
from timeline_api.app import create_app
from timeline_api.collector import collect_rarely
from timeline_api.config import Config, ConfigError
from timeline_api.datafile import FORMATS, DatasetError
from timeline_api.datafile.readers import format_of
from timeline_api.datafile.writers import WRITERS
from timeline_api.dates import InvalidDate, parse_partial_date
from timeline_api.models import Event
from timeline_api.models.audit import SCOPES
from timeline_api.progress import Progress
from timeline_api.queries.export import export_dataset
from timeline_api.queries.filters import EventFilters, conditions
from timeline_api.services import alongside, imports
from timeline_api.services import tokens as token_service

SEED_FILE = Path(__file__).resolve().parent / "seed" / "timeline.yaml"


@click.group()
def cli() -> None:
    """A sourced timeline of dated events, served as a JSON API."""


def main() -> None:
    try:
        cli()
    except ConfigError as error:
        raise SystemExit(f"timeline-api: {error}") from None
    except OperationalError as error:  # no database there, or it went away: say so, no trace
        raise SystemExit(f"timeline-api: the database cannot be used: {error.orig}") from None


def _url() -> str:
    return Config.from_environ().DATABASE_URL


def _batch_app() -> Any:
    """The app for seed, import and export: a batch may run for minutes, so the statement
    timeout that protects the API's requests does not apply to it. A batch allocates millions
    of short-lived objects: the cycle collector runs rarely (timeline_api.collector)."""
    app = create_app({"STATEMENT_TIMEOUT_MS": 0})
    collect_rarely()
    return app


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
    app = _batch_app()
    with app.extensions["db_sessions"]() as session:
        if if_empty and session.scalar(select(func.count(Event.id))):
            click.echo("database already has events; not seeding")
            return
        summary = _import(session, file or SEED_FILE, None, "seed", dry_run=False)
    _report(summary, dry_run=False)


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File (default stdout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Default: from the file name, else json. CSV holds the events only.",
)
@click.option("--from", "from_", help="Only events that can overlap this date or later.")
@click.option("--to", help="Only events that can overlap this date or earlier.")
@click.option("--type", "types", multiple=True, help="Only events of this type (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only events with this tag (repeatable).")
def export(
    output: Any,
    fmt: str | None,
    from_: str | None,
    to: str | None,
    types: tuple[str, ...],
    tags: tuple[str, ...],
) -> None:
    """Write the database (or some of its events) in the format `import` and `seed` load."""
    where = _event_filters(from_, to, types, tags)
    fmt = fmt or format_of(str(getattr(output, "name", ""))) or "json"
    writer = WRITERS.get(fmt, WRITERS["json"])(output)
    app = _batch_app()
    with app.extensions["db_sessions"]() as session:
        for name, item in export_dataset(session, where):
            writer.write(name, item)
    writer.close()


def _event_filters(
    from_: str | None, to: str | None, types: tuple[str, ...], tags: tuple[str, ...]
) -> list[Any]:
    try:
        first = parse_partial_date(from_).first if from_ else None
        last = parse_partial_date(to).last if to else None
    except InvalidDate as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from None
    if not (first or last or types or tags):
        return []
    return conditions(EventFilters(first=first, last=last, types=types, tags=tags))


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Default: from the file's suffix (.json, .ndjson, .csv, .yaml).",
)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--author", default="import", show_default=True, help="The name the changes are recorded under."
)
def import_(file: Path, fmt: str | None, dry_run: bool, author: str) -> None:
    """Load FILE: check all of it first; with any problem nothing is written.

    Records are matched by id: new ones are created, changed ones updated, equal ones left
    alone, so importing the same file twice changes nothing. The file is read twice, as a
    stream: its size does not matter.
    """
    app = _batch_app()
    with app.extensions["db_sessions"]() as session:
        summary = _import(session, file, fmt, author, dry_run)
    _report(summary, dry_run)


def _import(session: Any, path: Path, fmt: str | None, author: str, dry_run: bool) -> Any:
    """Run an import; problems are printed with the file's name and end the command."""
    size = path.stat().st_size
    file = imports.File(str(path), fmt or format_of(path.name), lambda: path.open("rb"), size)
    try:
        with Progress() as progress:
            return imports.run(session, file, author, dry_run, progress=progress, alongside=True)
    except DatasetError as error:
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        if error.omitted:
            click.echo(f"{path}: ... and {error.omitted} more not listed", err=True)
        raise SystemExit(f"{error.count} problem(s); nothing was written.") from None
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error}") from None
    except alongside.CheckFailed as error:  # its process crashed or was killed (out of memory)
        raise click.ClickException(f"{path}: {error}; nothing was written.") from None


def _report(summary: imports.Summary, dry_run: bool) -> None:
    prefix = "would have " if dry_run else ""
    for name in ("created", "updated", "unchanged"):
        counts: Any = getattr(summary, name)
        listed = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)
        click.echo(f"{prefix if name != 'unchanged' else ''}{name}: {listed or 'nothing'}")


@cli.group()
def tokens() -> None:
    """API tokens for writing (and for reading, where READ_REQUIRES_TOKEN is set)."""


@tokens.command("create")
@click.option("--name", required=True, help="Who or what uses it; changes are recorded under it.")
@click.option("--scope", type=click.Choice(SCOPES), default="write", show_default=True)
def tokens_create(name: str, scope: str) -> None:
    """Make a token and print it, once: only its hash is kept."""
    with create_app().extensions["db_sessions"].begin() as session:
        try:
            _record, token = token_service.create(session, name, scope)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    click.echo(token)
    click.echo(f"token '{name}' ({scope}) created; it is shown only now.", err=True)


@tokens.command("list")
def tokens_list() -> None:
    """Name, scope, creation, last write (to the hour) and revocation of every token (never
    the tokens)."""
    with create_app().extensions["db_sessions"]() as session:
        for record in token_service.all_tokens(session):
            used = record.last_used_at
            cells = [
                record.name,
                record.scope,
                f"created {record.created_at:%Y-%m-%d %H:%M}",
                f"last write {used:%Y-%m-%d %H:%M}" if used else "never written with",
                f"revoked {record.revoked_at:%Y-%m-%d %H:%M}" if record.revoked_at else "",
            ]
            click.echo("\t".join(cells).rstrip())


@tokens.command("revoke")
@click.option("--name", required=True)
def tokens_revoke(name: str) -> None:
    """Stop a token working, for good."""
    with create_app().extensions["db_sessions"].begin() as session:
        try:
            token_service.revoke(session, name)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"token '{name}' revoked")


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
    help="gunicorn workers (default: one per core).",
)
@click.option(
    "--threads",
    default=lambda: int(os.environ.get("GUNICORN_THREADS", "0")),
    type=int,
    help="threads per worker (default: 4); 1 runs sync workers, more gthread ones.",
)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading instead.")
def serve(host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve the API (gunicorn; --dev for Flask's development server)."""
    if dev:
        create_app().run(host=host, port=port, debug=True)
        return
    from timeline_api.server import run

    run(host, port, workers, threads)


if __name__ == "__main__":
    main()
