"""`timeline-api import` and `export` on SQLite and PostgreSQL: whole files, all or nothing,
and an export that loads back as itself."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import BASICS, read_seed
from tests.editing import (
    BROKEN,
    BROKEN_PLACES,
    BROKEN_ROWS,
    MEDIA,
    REFUSED_BY_THE_TABLES,
    SMALL,
    SMALL_ROWS,
    Committed,
    Writer,
    as_format,
    committed,
    committed_other,
    committed_seed,
    committed_urls,
    history,
    make_token,
    point,
)
from timeline_api.cli import SEED_FILE


def report(result: Result) -> dict[str, str]:
    """`created: 2 events` and the like, as {"created": "2 events"}."""
    assert result.exit_code == 0, result.output
    pairs = (line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    return {name: rest for name, rest in pairs}


def file_of(tmp_path: Path, fmt: str, data: dict[str, Any], rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / f"data.{fmt}"
    path.write_text(as_format(fmt, data, rows), encoding="utf-8")
    return path


def as_exported(event: dict[str, Any]) -> dict[str, Any]:
    """An event as export writes it: `is_approximate` always given, empty lists left out."""
    return {"is_approximate": False, **{key: value for key, value in event.items() if value != []}}


def event_ids(export: str) -> list[str]:
    return [event["id"] for event in json.loads(export)["events"]]


# --- Import ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", MEDIA)
def test_import_loads_each_format_and_prints_what_it_created(
    committed: Committed, tmp_path: Path, fmt: str
) -> None:
    committed.load(BASICS)
    printed = report(committed.run("import", str(file_of(tmp_path, fmt, SMALL, SMALL_ROWS))))
    assert (printed["created"], printed["updated"]) == ("2 events", "nothing")
    exported = json.loads(committed.export())["events"]
    assert exported == [as_exported(event) for event in SMALL["events"]]


@pytest.mark.parametrize("fmt", MEDIA)
def test_importing_a_file_twice_changes_nothing_the_second_time(
    committed: Committed, tmp_path: Path, fmt: str
) -> None:
    committed.load(BASICS)
    file = file_of(tmp_path, fmt, SMALL, SMALL_ROWS)
    report(committed.run("import", str(file)))
    before = committed.fingerprint()
    again = report(committed.run("import", str(file)))
    assert (again["created"], again["updated"]) == ("nothing", "nothing")
    assert "2 events" in again["unchanged"].split(", ")
    assert committed.fingerprint() == before


@pytest.mark.parametrize("fmt", MEDIA)
def test_import_updates_records_by_id_and_says_so(
    committed: Committed, tmp_path: Path, fmt: str
) -> None:
    committed.load(SMALL)
    data = {**SMALL, "events": [{**SMALL["events"][0], "title": "Retitled"}]}
    rows = [{**SMALL_ROWS[0], "title": "Retitled"}]
    printed = report(committed.run("import", str(file_of(tmp_path, fmt, data, rows))))
    assert (printed["created"], printed["updated"]) == ("nothing", "1 events")
    titles = {event["id"]: event["title"] for event in json.loads(committed.export())["events"]}
    assert titles == {"first-event": "Retitled", "second-event": "The second event"}


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize("fmt", MEDIA)
def test_a_failing_import_lists_every_problem_where_it_is_and_leaves_the_database_as_it_was(
    committed: Committed, tmp_path: Path, fmt: str, dry_run: bool
) -> None:
    committed.load(SMALL)
    file = file_of(tmp_path, fmt, BROKEN, BROKEN_ROWS)
    before = committed.fingerprint()
    result = committed.run("import", *(["--dry-run"] if dry_run else []), str(file))
    assert result.exit_code == 1, result.output
    assert "2 problem(s); nothing was written." in result.output
    problems = [line for line in result.stderr.splitlines() if line.startswith(f"{file}: ")]
    assert len(problems) == 2, result.stderr
    for place, pointer in BROKEN_PLACES[fmt]:
        where = f"{file}: {place}: {pointer}: " if place else f"{file}: {pointer}: "
        assert any(line.startswith(where) for line in problems), (where, problems)
    assert committed.fingerprint() == before


@pytest.mark.parametrize(("data", "pointer"), REFUSED_BY_THE_TABLES)
def test_a_file_the_database_would_refuse_is_reported_as_a_problem_not_a_crash(
    committed: Committed, tmp_path: Path, data: dict[str, Any], pointer: str
) -> None:
    committed.load(SMALL)
    file = tmp_path / "data.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    before = committed.fingerprint()
    result = committed.run("import", str(file))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"{file}: line 1: {pointer}: " in result.stderr
    assert committed.fingerprint() == before


@pytest.mark.parametrize("fmt", MEDIA)
def test_a_dry_run_says_what_would_change_and_writes_nothing(
    committed: Committed, tmp_path: Path, fmt: str
) -> None:
    committed.load(BASICS)
    before = committed.fingerprint()
    file = file_of(tmp_path, fmt, SMALL, SMALL_ROWS)
    printed = report(committed.run("import", "--dry-run", str(file)))
    assert printed["would have created"] == "2 events"
    assert printed["would have updated"] == "nothing"
    assert committed.fingerprint() == before


def test_imported_changes_are_kept_as_revisions_by_the_author_given(
    committed: Committed, tmp_path: Path
) -> None:
    file = file_of(tmp_path, "json", SMALL, [])
    report(committed.run("import", "--author", "bulk-load", str(file)))
    with committed.app() as app:
        revisions = history(app.test_client(), "/v1/events/second-event")
    assert [(r["action"], r["author"]) for r in revisions] == [("create", "bulk-load")]
    assert revisions[0]["after"] == as_exported(SMALL["events"][1])


# --- Export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_an_export_imported_into_an_empty_database_exports_exactly_the_same(
    committed_seed: Committed, committed: Committed, tmp_path: Path, fmt: str
) -> None:
    file = tmp_path / f"export.{fmt}"
    assert committed_seed.run("export", "--output", str(file)).exit_code == 0
    exported = file.read_text(encoding="utf-8")

    printed = report(committed.run("import", str(file)))
    seed_counts = {name: len(items) for name, items in read_seed().items()}
    for name, count in seed_counts.items():
        assert f"{count} {name}" in printed["created"].split(", ")
    assert committed.export("--format", fmt) == exported
    assert committed.export() == committed_seed.export()


@pytest.mark.parametrize(
    "filters",
    [
        {"tag": "cyber"},
        {"from": "2025"},
        {"from": "2024-01", "to": "2024-06"},
        {"type": "arrest"},
    ],
    ids=lambda filters: "-".join(f"{k}-{v}" for k, v in filters.items()),
)
def test_a_filtered_export_holds_the_matching_events_and_loads_on_its_own(
    committed_seed: Committed, committed: Committed, tmp_path: Path, filters: dict[str, str]
) -> None:
    args = [part for name, value in filters.items() for part in (f"--{name}", value)]
    exported = committed_seed.export(*args)
    with committed_seed.app() as app:
        listed = app.test_client().get("/v1/events", query_string={**filters, "limit": 500})
    assert listed.status_code == 200, listed.get_data(as_text=True)
    assert sorted(event_ids(exported)) == sorted(event["id"] for event in listed.json["data"])

    file = tmp_path / "part.json"
    file.write_text(exported, encoding="utf-8")
    report(committed.run("import", str(file)))
    assert committed.export() == exported


def test_an_export_taken_after_deleting_a_linked_event_loads_into_an_empty_database(
    committed: Committed, committed_other: Committed, tmp_path: Path
) -> None:
    committed.load(SMALL)  # second-event follows first-event
    with committed.app() as app:
        editor = Writer(app.test_client(), make_token(app, "desk", "write"))
        assert editor.delete("/v1/events/first-event").status_code == 204
    file = tmp_path / "export.json"
    assert committed.run("export", "--output", str(file)).exit_code == 0
    assert event_ids(file.read_text(encoding="utf-8")) == ["second-event"]

    result = committed_other.run("import", str(file))
    assert result.exit_code == 0, result.output
    assert event_ids(committed_other.export()) == ["second-event"]


def test_export_writes_ndjson_one_record_per_line(committed: Committed) -> None:
    committed.load(SMALL)
    lines = committed.export("--format", "ndjson").splitlines()
    records = [json.loads(line) for line in lines]
    assert all(len(record) == 1 for record in records)
    assert [record["events"]["id"] for record in records if "events" in record] == [
        "first-event",
        "second-event",
    ]
    assert len(records) == sum(len(items) for items in SMALL.values())


@pytest.mark.parametrize("args", [("--from", "2025-13"), ("--to", "soon")])
def test_export_refuses_a_bad_date(committed: Committed, args: tuple[str, str]) -> None:
    result = committed.run("export", *args)
    assert result.exit_code == 2, result.output
    assert args[0] in result.output
