"""The app's own OpenAPI document, fuzzed with schemathesis against the seeded API.

Every documented operation gets valid requests, and those taking query parameters also invalid
ones (schemathesis' negative generation); every answer must be free of server errors and keep what
the document promises: status code, content type, body schema and headers. The app refuses unknown
query parameters with a documented 400, so invalid requests must get a problem, never a 5xx.

schemathesis' pytest integration (`from_fixture(...).parametrize()`) sets `_nodeid` on the test
item, which pytest 9 no longer has; so the operations are parametrized here and each one's
strategy is run with Hypothesis directly, under schemathesis' own checks.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from timeline_api.app import create_app

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]
EXAMPLES = 25
# Writes are sent without a token: whatever the body, the answer is a documented 401, so a few
# cases check that refusal; the budget goes to the reads, which the seeded data answers.
WRITE_EXAMPLES = 3
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
# The WSGI transport announces the codings requests can decode, then hands over the raw bytes:
# ask for plain answers (tests/api/test_rendering.py checks the compressed ones).
PLAIN = {"Accept-Encoding": "identity"}


@cache
def document() -> dict[str, Any]:
    """The app's OpenAPI document, as /openapi.json serves it; building it needs no database."""
    app = create_app({"DATABASE_URL": "sqlite://"})
    served = app.test_client().get("/openapi.json")
    assert served.status_code == 200
    app.extensions["db_engine"].dispose()
    loaded = served.json
    assert isinstance(loaded, dict)
    return loaded


def documented_cases() -> list[Any]:
    """One pytest param per operation and generation mode, read from the app's document.

    Invalid requests need something to get wrong: a path id is any non-empty string, so only
    reads with query parameters are also tried with negative data.
    """
    paths: dict[str, dict[str, Any]] = document()["paths"]
    cases = []
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            modes = [GenerationMode.POSITIVE]
            is_read = method == "get"
            if is_read and any(parameter.get("in") == "query" for parameter in parameters):
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                label = f"{method.upper()} {path} {mode.value}"
                cases.append(pytest.param(method.upper(), path, mode, id=label))
    return cases


def seeded_ids(app: Flask, list_path: str) -> list[str]:
    """The ids a list answers with, for detail operations to ask about."""
    response = app.test_client().get(list_path, query_string={"limit": 500})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["data"]]


@pytest.mark.parametrize(("method", "path", "mode"), documented_cases())
def test_every_answer_keeps_the_documented_promises(
    seeded_app: Flask, method: str, path: str, mode: GenerationMode
) -> None:
    operation = schemathesis.openapi.from_wsgi("/openapi.json", seeded_app)[path][method]
    strategy = operation.as_strategy(generation_mode=mode)
    if "{id}" in path and mode is GenerationMode.POSITIVE:
        # Random ids only ever find a 404; half the cases name a seeded record instead.
        known = seeded_ids(seeded_app, path.split("/{id}")[0])
        strategy = strategy | st.sampled_from(known).flatmap(
            lambda id: operation.as_strategy(path_parameters={"id": id})
        )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES if method == "GET" else WRITE_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=PLAIN, checks=CHECKS)

    answers_as_documented()


def documented_examples(operation: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, example) of every query parameter that documents an example."""
    found = []
    for parameter in operation.get("parameters", []):
        example = parameter.get("example", parameter.get("schema", {}).get("example"))
        if parameter.get("in") == "query" and example is not None:
            found.append((parameter["name"], example))
    return found


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param(*case.values[:2], id=case.id.removesuffix(" positive"))
        for case in documented_cases()
        if case.values[2] is GenerationMode.POSITIVE
        and case.values[0] == "GET"
        and "}/" not in case.values[1].replace("{id}/", "")  # no path parameter but `id`
    ],
)
def test_each_documented_example_gets_a_documented_answer(
    seeded_app: Flask, method: str, path: str
) -> None:
    """Every query parameter's own example, alone, on a seeded record: deterministic cases.

    Reads only: their examples are what a reader of the docs would try first.
    """
    examples = documented_examples(document()["paths"][path][method.lower()])
    operation = schemathesis.openapi.from_wsgi("/openapi.json", seeded_app)[path][method]
    known = {"id": seeded_ids(seeded_app, path.split("/{id}")[0])[0]} if "{id}" in path else {}
    failures = []
    for query in [{}, *({name: example} for name, example in examples)]:
        case = operation.Case(path_parameters=known, query=query)
        try:
            case.call_and_validate(headers=PLAIN, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as error:  # schemathesis' failures
            failures.append(f"{method} {path} {query}: {error}")
    assert not failures, "\n\n".join(failures)
