"""The benchmark's generated dataset stays a file `timeline-api import` loads, the same per seed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench import generate
from timeline_api.cli import cli


def generated(events: int, seed: int) -> str:
    out = io.StringIO()
    generate.write(events, seed, out)
    return out.getvalue()


def test_the_same_seed_gives_the_same_file_and_another_seed_another() -> None:
    assert generated(50, seed=1) == generated(50, seed=1)
    assert generated(50, seed=1) != generated(50, seed=2)


def test_a_generated_file_imports_and_imports_again_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    data = tmp_path / "events.ndjson"
    generate.generate(100, 3, data)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0

    first = runner.invoke(cli, ["import", str(data)])
    again = runner.invoke(cli, ["import", str(data)])

    assert first.exit_code == 0, first.output
    assert "100 events" in first.output.splitlines()[-3]  # created: ..., 100 events, ...
    assert again.output.splitlines()[-3:-1] == ["created: nothing", "updated: nothing"]
