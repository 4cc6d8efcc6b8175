"""Importing generated files of thousands of events through the CLI, on SQLite and PostgreSQL:
counts, round trips in every format, all or nothing, and an import killed while it writes."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.editing import (
    Committed,
    committed,
    committed_other,
    committed_seed,
    committed_urls,
    history,
)
from timeline_api.services import bulk_indexes, imports

EVENTS = 3000
TYPES, ACTORS, TAGS, SOURCES = 5, 40, 12, 30


def lookups() -> list[dict[str, Any]]:
    """The records events refer to, as NDJSON records."""
    return [
        *({"countries": {"code": code, "name": code}} for code in ("TW", "CN", "US", "JP")),
        *({"event_types": {"id": f"type-{n}", "name": f"Type {n}"}} for n in range(TYPES)),
        *({"tags": {"id": f"tag-{n}", "name": f"Tag {n}"}} for n in range(TAGS)),
        *(
            {"sources": {"id": f"source-{n}", "publisher": "Test", "title": f"Page {n}"}}
            for n in range(SOURCES)
        ),
        *(
            {"actors": {"id": f"actor-{n}", "name": f"Actor {n}", "kind": "agency"}}
            for n in range(ACTORS)
        ),
    ]


def event(n: int) -> dict[str, Any]:
    """The n-th generated event: varied dates, lists, links back to earlier events."""
    year = 1990 + n % 35
    item: dict[str, Any] = {
        "id": f"event-{n}",
        "title": f"Generated event number {n}",
        "summary": f"Something happened, {n % 97} times over.",
        "type": f"type-{n % TYPES}",
        "importance": 1 + n % 5,
        "start": [f"{year}", f"{year}-{1 + n % 12:02d}", f"{year}-{1 + n % 12:02d}-15"][n % 3],
        "citations": [{"source": f"source-{n % SOURCES}", "note": "Generated."}],
        "actors": [{"actor": f"actor-{n % ACTORS}", "role": "accuser"}],
        "tags": sorted({f"tag-{n % TAGS}", f"tag-{n % 7}"}),
        "countries": ["TW"] if n % 2 else ["CN", "TW"],
    }
    if n % 4 == 0:
        item["end"] = f"{year + 1}"
    if n % 10 == 5:
        item["links"] = [{"to": f"event-{n - 5}", "kind": "follows"}]
    if n % 50 == 7:
        item["alternative_dates"] = [{"start": f"{year}", "source": "source-1", "note": "Other."}]
    if n % 3 == 0:
        item["text"] = f"A longer text about event {n}, with ünïcödé and “quotes”."
    return item


def generated(events: int = EVENTS) -> list[str]:
    """NDJSON lines of a whole file: lookups, events, a series."""
    series = {
        "id": "counts",
        "title": "Counts",
        "unit": "events",
        "points": [
            {"period": f"{2000 + n}", "value": n * 1.5, "source": "source-0", "note": "n"}
            for n in range(20)
        ],
    }
    records = [*lookups(), *({"events": event(n)} for n in range(events)), {"series": series}]
    return [json.dumps(record, ensure_ascii=False) + "\n" for record in records]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def count(committed: Committed, table: str) -> int:
    engine = create_engine(committed.url)
    with engine.connect() as connection:
        found = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(found)


def test_a_generated_file_imports_whole_and_again_changes_nothing(
    committed: Committed, tmp_path: Path
) -> None:
    file = write(tmp_path / "events.ndjson", generated())
    result = committed.run("import", str(file))
    assert result.exit_code == 0, result.output
    assert f"{EVENTS} events" in result.stdout
    assert count(committed, "events") == EVENTS
    assert count(committed, "event_links") == EVENTS // 10
    assert count(committed, "revisions") == EVENTS + len(lookups()) + 1
    assert count(committed, "imports") == 1
    with committed.app() as app:
        client = app.test_client()
        listed = client.get("/v1/events", query_string={"q": "ünïcödé", "limit": 1})
        assert listed.json["meta"]["total"] == EVENTS // 3  # the full-text index holds them all
        [revision] = history(client, "/v1/events/event-15")
        assert revision["action"] == "create" and revision["import_id"] is not None
        # Counts kept in bulk by the import: the same as the list's, per year and per type.
        assert client.get("/v1/events?limit=1").json["meta"]["total"] == EVENTS
        per_year = client.get("/v1/stats/events?by=year").json["data"]
        assert {b["key"]: b["count"] for b in per_year} == {
            str(1990 + year): len(range(year, EVENTS, 35)) for year in range(35)
        }
        in_window = client.get("/v1/events?from=1995-03-10&to=1996-02&type=type-1&limit=500")
        assert in_window.json["meta"]["total"] == len(in_window.json["data"]) > 0
        assert revision["after"]["links"] == [{"to": "event-10", "kind": "follows"}]

    again = committed.run("import", str(file))
    assert again.exit_code == 0, again.output
    assert "created: nothing" in again.stdout and "updated: nothing" in again.stdout
    assert count(committed, "revisions") == EVENTS + len(lookups()) + 1
    assert count(committed, "imports") == 1


def test_changed_records_are_updated_and_kept_as_revisions(
    committed: Committed, tmp_path: Path
) -> None:
    lines = generated(200)
    assert committed.run("import", str(write(tmp_path / "a.ndjson", lines))).exit_code == 0
    changed = [line.replace('number 7"', 'number seven"') for line in lines]
    result = committed.run("import", str(write(tmp_path / "b.ndjson", changed)))
    assert "updated: 1 events" in result.stdout, result.output
    with committed.app() as app:
        revisions = history(app.test_client(), "/v1/events/event-7")
    assert [r["action"] for r in revisions] == ["create", "update"]
    first, second = (r["import_id"] for r in revisions)
    assert first is not None and second == first + 1
    assert revisions[1]["before"]["title"] == "Generated event number 7"
    assert revisions[1]["after"]["title"] == "Generated event number seven"


@pytest.mark.parametrize(
    ("breakage", "detail"),
    [
        (lambda line: line.replace('"type-', '"no-type-'), "no type with id"),
        (lambda line: line.replace('"start": "', '"start": "x'), "is not a date"),
        (lambda line: line[:-3] + "\n", "not valid JSON"),
    ],
    ids=["unknown-reference", "bad-date", "broken-json"],
)
def test_a_problem_on_the_last_line_writes_nothing(
    committed: Committed, tmp_path: Path, breakage: Any, detail: str
) -> None:
    lines = generated()
    last = len(lines) - 1
    lines[last - 1] = breakage(lines[last - 1])  # the last event
    before = committed.fingerprint()
    result = committed.run("import", str(write(tmp_path / "broken.ndjson", lines)))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"line {last}: " in result.stderr and detail in result.stderr, result.stderr
    assert "nothing was written" in result.output
    assert committed.fingerprint() == before


def test_a_reference_never_defined_and_a_duplicate_id_write_nothing(
    committed: Committed, tmp_path: Path
) -> None:
    lines = generated(500)
    lines.insert(
        10,
        json.dumps({"events": {**event(9000), "links": [{"to": "nowhere", "kind": "related"}]}})
        + "\n",
    )
    lines.append(json.dumps({"events": event(3)}) + "\n")
    before = committed.fingerprint()
    result = committed.run("import", str(write(tmp_path / "broken.ndjson", lines)))
    assert result.exit_code == 1, result.output
    problems = [line for line in result.stderr.splitlines() if ": line " in line]
    assert len(problems) == 2, result.stderr
    assert any("line 11: /links/0/to: no event with id 'nowhere'" in p for p in problems)
    assert any(f"line {len(lines)}: /id: 'event-3' appears twice" in p for p in problems)
    assert committed.fingerprint() == before


def test_a_file_out_of_loading_order_imports_as_one_in_order(
    committed: Committed, committed_other: Committed, tmp_path: Path
) -> None:
    """Events before the records they name: on SQLite the import cannot write as it checks
    (services.alongside), so it checks the whole file first; the result is the same."""
    lines = generated(500)
    lookup_lines, rest = lines[: len(lookups())], lines[len(lookups()) :]
    shuffled = write(tmp_path / "shuffled.ndjson", [*rest[:100], *lookup_lines, *rest[100:]])
    result = committed.run("import", str(shuffled))
    assert result.exit_code == 0, result.output
    assert "500 events" in result.stdout
    in_order = committed_other.run("import", str(write(tmp_path / "in.ndjson", lines)))
    assert in_order.exit_code == 0, in_order.output
    assert committed.export("--format", "ndjson") == committed_other.export("--format", "ndjson")


def test_many_problems_are_capped_and_the_rest_counted(
    committed: Committed, tmp_path: Path
) -> None:
    lines = generated(300)
    broken = [line.replace('"importance": ', '"importance": 9') for line in lines]
    result = committed.run("import", str(write(tmp_path / "broken.ndjson", broken)))
    assert result.exit_code == 1, result.output
    listed = [line for line in result.stderr.splitlines() if "/importance: " in line]
    assert len(listed) == 100
    assert "... and 200 more not listed" in result.stderr
    assert "300 problem(s); nothing was written." in result.output


@pytest.mark.parametrize("fmt", ["json", "ndjson", "yaml"])
def test_a_round_trip_through_an_empty_database_exports_the_same(
    committed: Committed, committed_other: Committed, tmp_path: Path, fmt: str
) -> None:
    assert (
        committed.run("import", str(write(tmp_path / "in.ndjson", generated(500)))).exit_code == 0
    )
    exported = tmp_path / f"out.{fmt}"
    assert committed.run("export", "--output", str(exported)).exit_code == 0
    result = committed_other.run("import", str(exported))
    assert result.exit_code == 0, result.output
    assert committed_other.export("--format", fmt) == exported.read_text(encoding="utf-8")


def test_a_csv_round_trip_exports_the_same(
    committed: Committed, committed_other: Committed, tmp_path: Path
) -> None:
    lines = generated(500)
    assert committed.run("import", str(write(tmp_path / "in.ndjson", lines))).exit_code == 0
    exported = tmp_path / "out.csv"
    assert committed.run("export", "--output", str(exported)).exit_code == 0
    # CSV holds events only: what they refer to goes in first.
    others = [line for line in lines if not line.startswith('{"events"')]
    assert (
        committed_other.run("import", str(write(tmp_path / "lookups.ndjson", others))).exit_code
        == 0
    )
    result = committed_other.run("import", str(exported))
    assert result.exit_code == 0, result.output
    assert "500 events" in result.stdout
    assert committed_other.export("--format", "csv") == exported.read_text(encoding="utf-8")
    assert committed_other.export("--format", "ndjson") == committed.export("--format", "ndjson")


def _writing(committed: Committed) -> bool:
    """Whether the import has written rows it has not committed."""
    if committed.backend == "sqlite":
        wal = Path(committed.url.removeprefix("sqlite:///") + "-wal")
        return wal.exists() and wal.stat().st_size > 0
    engine = create_engine(committed.url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE relation = 'events'::regclass "
                "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    engine.dispose()
    return bool(found)


def test_an_import_killed_while_writing_leaves_the_database_as_it_was(
    committed: Committed, tmp_path: Path
) -> None:
    committed.run("import", str(write(tmp_path / "first.ndjson", generated(100))))
    before = committed.fingerprint()
    file = write(tmp_path / "big.ndjson", generated(20_000))
    with _importing_in_background(committed, file) as child:
        assert child.stderr is not None
        for line in child.stderr:  # "importing ..." (SQLite: checked and staged at once), or
            if line.startswith(("importing", "writing")):  # "checking", then "writing"
                break
        # On SQLite the rows are staged first and reach the database in one swap at the end:
        # wait for that (the write-ahead log grows), and kill it there.
        deadline = time.monotonic() + 60
        while not _writing(committed) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert child.poll() is None, "the import ended before it could be killed"
        assert _writing(committed), "the import never started writing"
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    assert committed.fingerprint()[1] == before[1]
    if committed.backend == "sqlite":
        engine = create_engine(committed.url)
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            )
            assert list(triggers.scalars()) == [  # the import's dropped ones are back
                "event_counts_delete",
                "event_counts_insert",
                "event_counts_update",
                "event_links_window",
                "events_fts_delete",
                "events_fts_insert",
                "events_fts_update",
            ]
        engine.dispose()
    again = committed.run("import", str(write(tmp_path / "next.ndjson", generated(150))))
    assert "created: 50 events" in again.stdout, again.output


def test_an_import_killed_while_checking_leaves_no_process_and_no_data(
    committed: Committed, tmp_path: Path
) -> None:
    """On SQLite a second process checks the file while the first stages what it has checked
    (services.alongside): killing the import kills both, and nothing is written."""
    committed.run("import", str(write(tmp_path / "first.ndjson", generated(100))))
    before = committed.fingerprint()
    file = write(tmp_path / "big.ndjson", generated(20_000))
    with _importing_in_background(committed, file) as child:
        assert child.stderr is not None
        first = child.stderr.readline()  # the first phase, a few records in
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert first.startswith("importing" if committed.backend == "sqlite" else "checking")
    deadline = time.monotonic() + 30
    while _importing(file) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _importing(file), "a process of the killed import is still running"
    assert committed.fingerprint()[1] == before[1]


def test_an_import_interrupted_says_so_once_and_writes_nothing(
    committed: Committed, tmp_path: Path
) -> None:
    """Ctrl-C reaches every process of the terminal's group: the import and (SQLite) its
    checking process. One short message, no traceback, no process left, nothing written."""
    before = committed.fingerprint()
    file = write(tmp_path / "big.ndjson", generated(20_000))
    with _importing_in_background(committed, file, start_new_session=True) as child:
        assert child.stderr is not None
        child.stderr.readline()  # the first phase has started
        os.killpg(child.pid, signal.SIGINT)
        _out, errors = child.communicate(timeout=60)
    assert child.returncode == 1
    assert "Aborted!" in errors and "Traceback" not in errors, errors
    deadline = time.monotonic() + 30
    while _importing(file) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _importing(file)
    assert committed.fingerprint()[1] == before[1]


def test_an_import_whose_checking_process_dies_says_so_and_writes_nothing(
    committed: Committed, tmp_path: Path
) -> None:
    """The checking process killed on its own (by the out-of-memory killer, say): the import
    ends with a message, not a traceback, and writes nothing."""
    committed.run("import", str(write(tmp_path / "first.ndjson", generated(100))))
    before = committed.fingerprint()
    file = write(tmp_path / "big.ndjson", generated(5000))  # no first load: checked alongside
    with _importing_in_background(committed, file) as child:
        assert child.stderr is not None
        assert child.stderr.readline().startswith("importing")
        [checking] = Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()
        os.kill(int(checking), signal.SIGKILL)
        _out, errors = child.communicate(timeout=60)
    assert child.returncode == 1
    assert "the checking process ended without a verdict; nothing was written" in errors, errors
    assert "Traceback" not in errors
    assert committed.fingerprint()[1] == before[1]


def _importing_in_background(
    committed: Committed, file: Path, start_new_session: bool = False
) -> subprocess.Popen[str]:
    """`timeline-api import FILE` in a process of its own; its progress lines on `stderr`."""
    return subprocess.Popen(
        [sys.executable, "-m", "timeline_api.cli", "import", str(file)],
        env={**os.environ, "DATABASE_URL": committed.url},
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=start_new_session,  # a group of its own, as on a terminal
    )


def _importing(file: Path) -> list[int]:
    """The processes whose command line names `file`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(file).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:  # ended meanwhile
            continue
    return found


def test_the_commands_ignore_the_api_statement_timeout(
    committed: Committed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request may take STATEMENT_TIMEOUT_MS at most; an import or an export takes what it
    takes (on PostgreSQL, where the timeout applies)."""
    monkeypatch.setenv("STATEMENT_TIMEOUT_MS", "1")
    result = committed.run("import", str(write(tmp_path / "events.ndjson", generated())))
    assert result.exit_code == 0, result.output
    assert f"{EVENTS} events" in result.stdout
    exported = committed.export("--format", "ndjson")
    assert sum('"events"' in line[:12] for line in exported.splitlines()) == EVENTS


def test_a_load_larger_than_the_database_leaves_every_index_in_place(
    committed: Committed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large first load drops the secondary indexes (and on PostgreSQL the foreign keys)
    and makes them again at its end: the same ones, the migrations' own included."""
    monkeypatch.setattr(bulk_indexes, "SMALLEST", 100)
    assert "ix_events_window_start" in {index.name for index in bulk_indexes.secondary()}
    before = _indexes_and_keys(committed.url)
    assert "ix_events_window_start" in before
    if committed.backend == "postgresql":  # made by revision 0002, not the models
        assert "ix_events_search_vector" in before
        assert "fk_event_actors_actor_id_actors" in before
    committed.run("import", str(write(tmp_path / "events.ndjson", generated(500))))
    assert _indexes_and_keys(committed.url) == before
    with committed.app() as app:
        window = app.test_client().get("/v1/events?from=2000&to=2001&limit=500").json
    years = [1990 + n % 35 for n in range(500)]  # as event(n) dates them; every 4th ends later
    overlapping = [
        n for n, year in enumerate(years) if year + (n % 4 == 0) >= 2000 and year <= 2001
    ]
    assert window["meta"]["total"] == len(overlapping)


def _indexes_and_keys(url: str) -> set[str]:
    """The names of the bulk tables' indexes and foreign keys."""
    engine = create_engine(url)
    found = inspect(engine)
    names = {
        item["name"] or ""
        for table in bulk_indexes.TABLES
        for item in (*found.get_indexes(table.name), *found.get_foreign_keys(table.name))
    }
    engine.dispose()
    return names


def test_a_large_import_leaves_fresh_planner_statistics(
    committed: Committed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a large import the read path's plans rest on statistics of the new rows (and on
    PostgreSQL, on a vacuumed table whose index-only scans skip the heap)."""
    monkeypatch.setattr(imports, "FRESH_STATISTICS", 100)
    committed.run("import", str(write(tmp_path / "events.ndjson", generated(500))))
    engine = create_engine(committed.url)
    with engine.connect() as connection:
        if committed.backend == "sqlite":
            analysed = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'events'"
        else:
            analysed = (
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'events' "
                "AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
                "AND schemaname = current_schema()"
            )
        assert connection.execute(text(analysed)).scalar_one() >= 1
    engine.dispose()
