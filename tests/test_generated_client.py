"""A Python client generated from the committed openapi.yaml, without warnings, used against a
live server: named operations, typed models with their required members, the round trip."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.editing import SMALL, Committed, committed, committed_urls, make_token, serving

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.yaml"
PACKAGE = "timeline_client"
# openapi-python-client sends only JSON, forms and octet streams; the import's NDJSON, CSV and
# YAML bodies are files to it. (It then labels every file application/yaml: send JSON with it.)
CONFIG = {
    "content_type_overrides": {
        media: "application/octet-stream"
        for media in ("application/x-ndjson", "text/csv", "application/yaml")
    },
    "post_hooks": [],  # no formatting of the generated code: it is only imported
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The client package, generated once; fails on any warning of the generator."""
    where = tmp_path_factory.mktemp("client")
    config = where / "config.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    command = [
        str(Path(sys.executable).parent / "openapi-python-client"),
        *("generate", "--path", str(COMMITTED), "--meta", "none"),
        *("--output-path", str(where / PACKAGE), "--config", str(config)),
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


def operation(package: Any, tag: str, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.api.{tag}.{name}")


def test_every_endpoint_is_a_named_operation(generated: Any) -> None:
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    methods = {"get", "put", "post", "patch", "delete"}
    ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in methods
    ]
    modules = {
        path.stem
        for path in Path(generated.__file__).parent.joinpath("api").glob("*/*.py")
        if path.stem != "__init__"
    }
    snake = {"".join(f"_{c.lower()}" if c.isupper() else c for c in id) for id in ids}
    assert snake == modules


def test_a_generated_client_reads_and_round_trips_a_record(
    generated: Any, committed: Committed
) -> None:
    committed.load(SMALL)
    with committed.app() as app, serving(app) as port:
        token = make_token(app, "desk", "write")
        base_url = f"http://127.0.0.1:{port}"
        reader = generated.Client(base_url=base_url)
        editor = generated.AuthenticatedClient(base_url=base_url, token=token)

        page = operation(generated, "events", "list_events").sync(client=reader, from_="2024")
        assert [event.id for event in page.data] == ["second-event"]
        assert page.data[0].start_precision.value == "day"  # an enum, not a plain string

        get_event = operation(generated, "events", "get_event")
        read = get_event.sync_detailed("first-event", client=reader)
        assert read.status_code == 200
        event = read.parsed
        assert event.type_.id == "test-type"
        assert event.links[0].direction.value == "incoming"

        # The body GET gave, one member changed, PUT back with the ETag: a round trip.
        event.title = "The first event, retitled"
        updated = operation(generated, "events", "update_event").sync_detailed(
            "first-event", client=editor, body=event, if_match=read.headers["ETag"]
        )
        assert updated.status_code == 200, updated.content
        assert updated.parsed.title == "The first event, retitled"
        assert updated.parsed.links == event.links

        patch = generated.models.MergePatch.from_dict({"importance": 5})
        patched = operation(generated, "events", "patch_event").sync_detailed(
            "first-event", client=editor, body=patch, if_match=updated.headers["ETag"]
        )
        assert patched.status_code == 200, patched.content
        assert patched.parsed.importance == 5

        missing = get_event.sync("no-such-event", client=reader)
        assert (missing.status, missing.title) == (404, "Not Found")


# openapi-typescript is an npm tool: the test runs where it is installed (on PATH, or named by
# OPENAPI_TYPESCRIPT), e.g. `npm install --prefix /tmp/ots openapi-typescript@7`.
TYPESCRIPT = os.environ.get("OPENAPI_TYPESCRIPT") or shutil.which("openapi-typescript")


@pytest.mark.skipif(TYPESCRIPT is None, reason="openapi-typescript is not installed")
def test_openapi_typescript_names_every_operation_and_requires_what_is_always_there(
    tmp_path: Path,
) -> None:
    output = tmp_path / "api.d.ts"
    result = subprocess.run(
        [str(TYPESCRIPT), str(COMMITTED), "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    typescript = output.read_text(encoding="utf-8")
    operations = typescript.split("export interface operations {", 1)[1]
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                assert f"\n    {operation['operationId']}: {{" in operations
    assert 'start_precision: "year" | "month" | "day";' in typescript  # required, an enum
    assert "since?: number | string;" in typescript
