"""The app's own OpenAPI document, fuzzed with schemathesis against the seeded API.

Every documented operation gets valid requests, and those taking query parameters or a body also
invalid ones (schemathesis' negative generation); writes carry a token, so their bodies are read.
Every answer must be free of server errors and keep what the document promises: status code,
content type, body schema and headers; invalid requests must be refused, and valid reads
accepted, except where a rule cannot be written in OpenAPI (each named below, with why).

The stateful phase follows the document's links (a record's id and ETag into its writes). Not
run: the coverage phase (missing headers, unsupported methods), which schemathesis' own runner
drives; tests/api/test_writes.py checks the missing If-Match (428), test_events_errors.py
the 405s.

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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode

from tests.editing import bearer, make_token
from timeline_api.app import create_app


@schemathesis.check
def invalid_requests_are_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' negative_data_rejection, but a made-up If-Match may be refused first:
    a 412 refuses the request too (the body is read once the record's state is confirmed)."""
    if response.status_code == 412:
        return None
    return schemathesis.checks.negative_data_rejection(ctx, response, case)  # type: ignore[no-any-return]


# Rules OpenAPI cannot state: a cursor belongs to the sort and filters of the page that gave
# it; `from` is not after `to` and names a real day (not 2023-02-30); `q` has a word to search
# for; `sort=relevance` needs `q`; `type`, `actor` and `tag` (and their `_all` forms) name
# stored records (an unknown id is a typo to report); `by=day` and `by=week` need `from` and
# `to`, and a chart has at most 10,000 rows (stats' `by`); `group` and `cumulative` need a
# bucket `by`; `fields` names citations or links only with `include`. A 400 naming only these
# is a refusal the document allows.
UNWRITABLE_RULES = {
    "cursor",
    "from",
    "to",
    "q",
    "sort",
    "type",
    "actor",
    "tag",
    "actor_all",
    "tag_all",
    "by",
    "group",
    "cumulative",
    "fields",
}


@schemathesis.check
def valid_reads_are_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, but for the rules OpenAPI cannot state."""
    if response.status_code == 400:
        named = {error.get("parameter") for error in response.json().get("errors", [])}
        if named and named <= UNWRITABLE_RULES:
            return None
    return schemathesis.checks.positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    invalid_requests_are_refused,
]
# Reads must also accept every request the document calls valid. Writes cannot promise that:
# a body can be valid by the schema and still name a source that does not exist (a 422), and
# an If-Match a generator makes up is a 412; OpenAPI cannot say "an id that exists".
READ_CHECKS = [*CHECKS, valid_reads_are_accepted]
EXAMPLES = 25
# Writes carry a `write` (or, to restore, `admin`) token, so their bodies reach validation;
# a few cases each keep the run short.
WRITE_EXAMPLES = 5
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
            has_query = any(parameter.get("in") == "query" for parameter in parameters)
            if has_query or "requestBody" in operation:
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                label = f"{method.upper()} {path} {mode.value}"
                cases.append(pytest.param(method.upper(), path, mode, id=label))
    return cases


def seeded_ids(app: Flask, list_path: str) -> list[str]:
    """The ids a list answers with, for detail operations to ask about."""
    documented = document()["paths"][list_path]["get"].get("parameters", [])
    paged = any(parameter["name"] == "limit" for parameter in documented)
    query = {"limit": 500} if paged else {}  # /v1/series is not paged: it refuses a limit
    response = app.test_client().get(list_path, query_string=query)
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

    is_read = method == "GET"
    headers = PLAIN
    if not is_read:
        scope = "admin" if path.endswith("/restore") or path == "/v1/import" else "write"
        headers = {**PLAIN, **bearer(make_token(seeded_app, scope, scope))}

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES if is_read else WRITE_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=headers, checks=READ_CHECKS if is_read else CHECKS)

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


# After a DELETE the record is gone (404, or 410 for an event); after a 201 it can be read.
STATEFUL_CHECKS = [
    schemathesis.checks.use_after_free,
    schemathesis.checks.ensure_resource_availability,
]


def test_workflows_along_the_documented_links_keep_the_promises(seeded_app: Flask) -> None:
    """schemathesis' stateful phase: it follows the document's links (a created or read record's
    id and ETag into PUT, PATCH and DELETE) and checks every answer on the way."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", seeded_app)
    headers = {**PLAIN, **bearer(make_token(seeded_app, "stateful", "admin"))}

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(
            self, response: Any, case: schemathesis.Case[Any], *_args: Any, **kwargs: Any
        ) -> None:
            checks = READ_CHECKS if case.method == "GET" else CHECKS
            case.validate_response(
                response,
                checks=[*checks, *STATEFUL_CHECKS],
                transport_kwargs=kwargs or None,
                recorder=getattr(self, "recorder", None),
            )

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            # The database keeps what earlier runs wrote, so a replay is not the same run:
            # report the first failure as found rather than shrink it.
            phases=[Phase.generate],
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
