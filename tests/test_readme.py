"""The README's curl examples, pasted into a shell against a live server, do what they say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from timeline_api.services import tokens

README = Path(__file__).resolve().parent.parent / "README.md"
DOCUMENTED_BASE = "http://127.0.0.1:8000"


def shell_examples() -> list[tuple[str, int]]:
    """(command, expected status) for each line of the README's ```sh blocks using curl.

    The status is 200 unless the prose just before the block names another: the one after
    "answers" if it says so, else the first it mentions, e.g. "get a `400`".
    """
    text = README.read_text(encoding="utf-8")
    examples = []
    for match in re.finditer(r"(?P<prose>(?:[^\n]+\n)+)\n```sh\n(?P<code>.*?)```", text, re.S):
        prose = match["prose"]
        statuses = re.findall(r"answers\s+`(\d{3})`", prose) or re.findall(r"`(\d{3})`", prose)
        expected = int(statuses[0]) if statuses else 200
        for line in match["code"].splitlines():
            if line.startswith("curl "):
                examples.append((line, expected))
            elif line.startswith("etag="):
                examples.append((line, 0))  # a helper line: it only has to succeed
    return examples


EXAMPLES = shell_examples()


@pytest.fixture
def token(seeded_app: Flask) -> str:
    """A write token, as `timeline-api tokens create` would print it."""
    with seeded_app.app_context():
        session = seeded_app.extensions["db_sessions"]()
        _record, plain = tokens.create(session, "readme", "write")
        session.commit()
        session.close()
    return plain


@pytest.fixture
def live_url(seeded_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, seeded_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_readme_has_an_example_for_each_use() -> None:
    commands = " ".join(command for command, _ in EXAMPLES)
    for use in (
        "from=2022&to=2024",
        "actor=",
        "/v1/events/",
        "text/csv",
        "format=csv",
        "/v1/series/",
        "q=",
        "If-None-Match",
        "-X POST",
        "-X PUT",
        "If-Match",
        "/history",
        "/v1/changes",
        "include=citations",
        "country_all=",
        "min_importance=",
        "T00:00:00.000Z",
        "format=timelinejs",
        "format=ics",
        "application/x-ndjson",
        "group=type",
        "cumulative=true",
        "/v1/series/tw-nsb-chinese-espionage-prosecutions?format=csv",
        "record_type=",
        "format=atom",
    ):
        assert use in commands, f"the README shows no curl example with {use}"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_examples_work_when_pasted(live_url: str, token: str, tmp_path: Path) -> None:
    script = []
    for command, expected in EXAMPLES:
        command = command.replace(DOCUMENTED_BASE, live_url)
        if expected:
            command += " -s -o /dev/null -w '%{http_code}\\n'"
        script.append(command)
    result = subprocess.run(
        ["bash", "-c", "set -e\n" + "\n".join(script)],
        cwd=tmp_path,
        env={**os.environ, "TOKEN": token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statuses = [int(line) for line in result.stdout.split()]
    checked = [(command, status) for command, status in EXAMPLES if status]
    answered = [(command, status) for (command, _), status in zip(checked, statuses, strict=True)]
    assert answered == checked
