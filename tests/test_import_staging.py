"""The API keeps writing while an import runs (issue 12): on SQLite the import stages its rows
and takes the write lock only for one short swap at the end; what the API changed meanwhile
is never overwritten, and what it created keeps its place."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.editing import (
    Committed,
    bearer,
    committed,
    committed_other,
    committed_urls,
    make_token,
)
from tests.test_bulk_import import generated, write
from timeline_api.services import bulk_indexes, imports


def import_with(
    app: Flask, path: Path, while_writing: Callable[[], None], after: int = 1
) -> imports.Summary:
    """Import `path` on a connection of its own, calling `while_writing` once, as soon as
    `after` records are written (staged, on SQLite)."""
    calls: list[str] = []

    def progress(phase: str, done: int, *_counts: int) -> None:
        if phase == "writing" and done >= after and not calls:
            calls.append(phase)
            while_writing()

    file = imports.File(str(path), "ndjson", lambda: path.open("rb"), path.stat().st_size)
    with app.extensions["db_sessions"]() as session:
        summary = imports.run(session, file, "cli", progress=progress)
    assert calls, "the import never reported writing"
    return summary


def export_lines(committed: Committed) -> set[str]:
    return set(committed.export("--format", "ndjson").splitlines())


def test_the_api_creates_records_while_an_import_runs(
    committed: Committed, committed_other: Committed, tmp_path: Path
) -> None:
    file = write(tmp_path / "file.ndjson", generated(3000))
    answers: list[Any] = []
    with committed.app(STATEMENT_TIMEOUT_MS=500) as app:
        client, token = app.test_client(), make_token(app, "desk", "write")

        def create() -> None:  # records of every kind the file creates too: ids move up
            started = time.monotonic()
            for path, body in [
                ("/v1/tags", {"id": "green", "name": "Green"}),
                ("/v1/actors", {"id": "desk-actor", "name": "A desk", "kind": "agency"}),
                ("/v1/event-types", {"id": "desk-type", "name": "Desk"}),
                ("/v1/sources", {"id": "desk-source", "publisher": "Desk", "title": "Notes"}),
            ]:
                answers.append(client.post(path, json=body, headers=bearer(token)))
            desk_event = {
                "id": "desk-event",
                "title": "Written while the import ran",
                "summary": "An event written through the API during an import.",
                "type": "desk-type",
                "importance": 2,
                "start": "2024-05",
                "tags": ["green"],
                "actors": [{"actor": "desk-actor", "role": "announcer"}],
                "citations": [{"source": "desk-source", "note": "Desk notes."}],
            }
            answers.append(client.post("/v1/events", json=desk_event, headers=bearer(token)))
            answers.append(time.monotonic() - started)

        summary = import_with(app, file, create)

    *responses, seconds = answers
    assert [r.status_code for r in responses] == [201] * 5, responses[-1].get_data(as_text=True)
    assert seconds < 5  # no lock wait: the writes were answered at once
    assert summary.created["events"] == 3000
    # Everything the file holds is stored as the file says, beside what the API wrote.
    assert committed_other.run("import", str(file)).exit_code == 0
    ours, alone = export_lines(committed), export_lines(committed_other)
    assert alone <= ours
    added = ours - alone
    assert {json.loads(line).popitem()[1]["id"] for line in added} == {
        "green",
        "desk-actor",
        "desk-type",
        "desk-source",
        "desk-event",
    }
    with committed.app() as app:
        shown = app.test_client().get("/v1/events/desk-event").get_json()
        assert [actor["id"] for actor in shown["actors"]] == ["desk-actor"]
        linked = app.test_client().get("/v1/events/event-105").get_json()
        assert [link["event"]["id"] for link in linked["links"]] == ["event-100"]


def test_an_import_refuses_records_the_api_changed_meanwhile(
    committed: Committed, tmp_path: Path
) -> None:
    if committed.backend != "sqlite":
        pytest.skip("PostgreSQL: the import's row locks make the API's write wait instead")
    committed.run("import", str(write(tmp_path / "first.ndjson", generated(200))))
    before = export_lines(committed)
    changed = [
        line.replace("Generated event number 150", "Event 150, retitled by the file")
        for line in generated(400)
    ]
    file = write(tmp_path / "second.ndjson", changed)
    with committed.app() as app:
        client, token = app.test_client(), make_token(app, "desk", "write")
        shown = client.get("/v1/events/event-150")

        def edit() -> None:
            body = {**shown.get_json(), "title": "Event 150, retitled by the desk"}
            headers = {**bearer(token), "If-Match": shown.headers["ETag"]}
            answer = client.put("/v1/events/event-150", json=body, headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)

        with pytest.raises(imports.DatasetError) as refused:  # edited once the import read it
            import_with(app, file, edit, after=len(changed) - 1)

    assert "events event-150 changed since the import read" in str(refused.value.problems[0])
    after = export_lines(committed)
    assert {json.loads(line)["events"]["title"] for line in after - before} == {
        "Event 150, retitled by the desk"
    }
    assert not any('"event-250"' in line for line in after)  # nothing of the file was written


def test_an_import_refuses_an_id_the_api_took_meanwhile(
    committed: Committed, tmp_path: Path
) -> None:
    file = write(tmp_path / "file.ndjson", generated(100))
    with committed.app(STATEMENT_TIMEOUT_MS=500) as app:
        client, token = app.test_client(), make_token(app, "desk", "write")

        def take() -> None:
            body = {"id": "tag-3", "name": "Ours"}
            assert client.post("/v1/tags", json=body, headers=bearer(token)).status_code == 201

        if committed.backend == "sqlite":  # it staged tag-3 as new: the API's must stay
            with pytest.raises(imports.DatasetError) as refused:
                import_with(app, file, take)
            assert "tags tag-3 were created meanwhile" in str(refused.value.problems[0])
            expected = [("tag-3", "Ours")]
        else:  # the import reads each batch as it writes it: tag-3 is there, and it updates it
            import_with(app, file, take)
            expected = [(f"tag-{n}", f"Tag {n}") for n in range(12)]
        tags = client.get("/v1/tags?limit=100").get_json()["data"]
    assert sorted((tag["id"], tag["name"]) for tag in tags) == sorted(expected)


def test_a_dry_run_never_holds_the_write_lock(committed: Committed, tmp_path: Path) -> None:
    path = write(tmp_path / "file.ndjson", generated(500))
    file = imports.File(str(path), "ndjson", lambda: path.open("rb"), path.stat().st_size)
    answers: list[Any] = []
    with committed.app(STATEMENT_TIMEOUT_MS=500) as app:
        client, token = app.test_client(), make_token(app, "desk", "write")

        def progress(phase: str, *_counts: int) -> None:
            if phase == "writing" and not answers:
                body = {"id": "green", "name": "Green"}
                answers.append(client.post("/v1/tags", json=body, headers=bearer(token)))

        with app.extensions["db_sessions"]() as session:
            summary = imports.run(session, file, "cli", dry_run=True, progress=progress)
    assert answers[0].status_code == 201, answers[0].get_data(as_text=True)
    assert summary.created["events"] == 500
    assert '"events"' not in committed.export("--format", "ndjson")


def test_the_api_writes_while_a_cli_import_runs(committed: Committed, tmp_path: Path) -> None:
    # Fewer events than make an import drop and rebuild indexes (services.bulk_indexes): on
    # PostgreSQL that locks the tables until it commits, by decision, for first loads only.
    events = bulk_indexes.SMALLEST - 1000
    file = write(tmp_path / "big.ndjson", generated(events))
    with (
        committed.app(STATEMENT_TIMEOUT_MS=2000) as app,
        subprocess.Popen(
            [sys.executable, "-m", "timeline_api.cli", "import", str(file)],
            env={**os.environ, "DATABASE_URL": committed.url},
            stderr=subprocess.PIPE,
            text=True,
        ) as child,
    ):
        client, token = app.test_client(), make_token(app, "desk", "write")
        assert child.stderr is not None
        for line in child.stderr:  # "importing ..." (SQLite: checked and staged at once), or
            if line.startswith(("importing", "writing")):  # "checking", then "writing"
                break
        started = time.monotonic()
        body = {"id": "green", "name": "Green"}
        response = client.post("/v1/tags", json=body, headers=bearer(token))
        waited = time.monotonic() - started
        assert child.poll() is None, "the import ended before the API wrote"
        child.stderr.read()
    assert child.returncode == 0
    assert response.status_code == 201, response.get_data(as_text=True)
    assert waited < 1
    exported = committed.export("--format", "ndjson")
    assert exported.count('{"events"') == events
    assert '{"tags": {"id": "green"' in exported
