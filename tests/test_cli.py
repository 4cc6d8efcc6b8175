"""The `timeline-api` command on a SQLite file: db upgrade, seed, export, openapi."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import read_seed
from timeline_api.cli import cli

COMMITTED_OPENAPI = Path(__file__).resolve().parent.parent / "openapi.yaml"
Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Run `timeline-api ARGS...` and insist that it succeeds."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return invoke


def use_database(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """DATABASE_URL points at a SQLite file that does not exist yet."""
    path = tmp_path / "data" / "cli.sqlite3"
    use_database(monkeypatch, path)
    return path


@pytest.fixture
def upgraded(run: Run, database: Path) -> Path:
    run("db", "upgrade")
    return database


def lines(result: Result) -> dict[str, str]:
    """`created: 8 countries, ...` → {"created": "8 countries, ..."}."""
    pairs = (line.split(": ", 1) for line in result.output.splitlines() if ": " in line)
    return {name: rest for name, rest in pairs}


def seed_counts() -> dict[str, int]:
    """How many items each list of the seed file holds."""
    raw: dict[str, list[Any]] = read_seed()
    return {name: len(items) for name, items in raw.items() if items}


def test_db_upgrade_creates_the_database_file(run: Run, database: Path) -> None:
    result = run("db", "upgrade")
    assert "database at head" in result.output
    assert database.is_file()


def test_seed_prints_what_it_created(run: Run, upgraded: Path) -> None:
    created = lines(run("seed"))["created"]
    for name, count in seed_counts().items():
        assert f"{count} {name}" in created.split(", ")


def test_seeding_twice_creates_and_updates_nothing(run: Run, upgraded: Path) -> None:
    run("seed")
    second = lines(run("seed"))
    assert second["created"] == "nothing"
    assert second["updated"] == "nothing"
    for name, count in seed_counts().items():
        assert f"{count} {name}" in second["unchanged"].split(", ")


def test_seed_if_empty_leaves_a_seeded_database_alone(run: Run, upgraded: Path) -> None:
    run("seed")
    before = run("export").output
    result = run("seed", "--if-empty")
    assert "not seeding" in result.output
    assert "created" not in result.output
    assert run("export").output == before


def test_seed_if_empty_seeds_an_empty_database(run: Run, upgraded: Path) -> None:
    created = lines(run("seed", "--if-empty"))["created"]
    assert f"{seed_counts()['events']} events" in created.split(", ")


def test_export_loads_into_a_fresh_database_as_the_same_export(
    run: Run, upgraded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("seed")
    exported = tmp_path / "export.json"
    run("export", "--output", str(exported))
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert {name: len(items) for name, items in document.items()} == seed_counts()

    use_database(monkeypatch, tmp_path / "fresh.sqlite3")
    run("db", "upgrade")
    created = lines(run("seed", str(exported)))["created"]
    assert f"{seed_counts()['events']} events" in created.split(", ")
    assert json.loads(run("export").output) == document


def test_seed_refuses_a_broken_file_and_lists_its_problems(upgraded: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    raw = read_seed()
    raw["events"][0]["type"] = "no-such-type"
    broken.write_text(json.dumps(raw), encoding="utf-8")
    result = CliRunner().invoke(cli, ["seed", str(broken)])
    assert result.exit_code == 1
    assert "/events/0/type" in result.output
    assert "no-such-type" in result.output
    assert "created" not in result.output


def test_openapi_prints_the_committed_document(run: Run) -> None:
    assert run("openapi").output == COMMITTED_OPENAPI.read_text(encoding="utf-8"), (
        "openapi.yaml is out of date: run `make openapi` and commit the result"
    )
