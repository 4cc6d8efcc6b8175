"""The OpenAPI document: committed, valid, fully described, served, and its docs page offline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from timeline_api.api.http import SWAGGER_UI
from timeline_api.app import create_app
from timeline_api.spec import as_yaml

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def build_app() -> Flask:
    """The app as `timeline-api openapi` builds it: the document needs no database."""
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})


@pytest.fixture
def docs_app() -> Iterator[Flask]:
    app = build_app()
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def docs_client(docs_app: Flask) -> FlaskClient:
    return docs_app.test_client()


@pytest.fixture
def document(docs_app: Flask) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(as_yaml(docs_app))
    return loaded


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """("GET /path", the operation, its path item) for every operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation, item


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref (#/components/...) to what it names."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_committed_openapi_yaml_is_what_the_app_generates(docs_app: Flask) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == as_yaml(docs_app), (
        "openapi.yaml is out of date: run `make openapi` and commit the result"
    )


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    missing = [
        f"{label}: {member}"
        for label, operation, _item in operations(document)
        for member in ("summary", "description")
        if not str(operation.get(member) or "").strip()
    ]
    assert not missing, "\n".join(missing)


def _has_example(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    return any(
        key in container for container in (parameter, schema) for key in ("example", "examples")
    )


# The docs' "Try it out" sends every example; a cursor belongs to another request's sort and
# filters, and `format=csv` would answer CSV: these two have none on purpose.
WITHOUT_EXAMPLE = {"cursor", "format"}


def test_every_parameter_has_a_description_and_an_example(document: dict[str, Any]) -> None:
    missing = []
    for label, operation, item in operations(document):
        for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = resolve(document, raw)
            name = f"{label} {parameter['in']} parameter '{parameter['name']}'"
            if not str(parameter.get("description") or "").strip():
                missing.append(f"{name}: description")
            if parameter["name"] not in WITHOUT_EXAMPLE and not _has_example(parameter):
                missing.append(f"{name}: example")
    assert not missing, "\n".join(missing)


def test_every_parameter_example_fits_its_schema(document: dict[str, Any]) -> None:
    wrong = []
    for label, operation, item in operations(document):
        for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = resolve(document, raw)
            schema = parameter.get("schema", {})
            for example in (parameter.get("example"), schema.get("example")):
                if example is None:
                    continue
                problem = next(OAS31Validator(schema).iter_errors(example), None)
                if problem is not None:
                    wrong.append(
                        f"{label} '{parameter['name']}' example {example!r}: {problem.message}"
                    )
    assert not wrong, "\n".join(wrong)


def test_every_schema_property_has_a_description(document: dict[str, Any]) -> None:
    missing = [
        f"{schema_name}.{property_name}"
        for schema_name, schema in document["components"]["schemas"].items()
        for property_name, member in schema.get("properties", {}).items()
        if not str(member.get("description") or "").strip()
    ]
    assert not missing, "\n".join(missing)


def test_document_is_served_as_json_and_as_yaml_alike(docs_client: FlaskClient) -> None:
    as_json = docs_client.get("/openapi.json")
    as_yaml_response = docs_client.get("/openapi.yaml")
    assert as_json.status_code == as_yaml_response.status_code == 200
    assert as_json.mimetype == "application/json"
    assert as_yaml_response.mimetype == "application/yaml"
    assert yaml.safe_load(as_yaml_response.get_data(as_text=True)) == json.loads(
        as_json.get_data(as_text=True)
    )


def test_served_document_is_the_committed_one(docs_client: FlaskClient) -> None:
    served = docs_client.get("/openapi.json").json
    assert served == yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""", re.IGNORECASE)


def test_docs_page_loads_its_scripts_and_styles_from_this_server(
    docs_client: FlaskClient,
) -> None:
    response = docs_client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    scripts = re.findall(r"""<script[^>]*\bsrc\s*=\s*["']([^"']+)["']""", html, re.IGNORECASE)
    assert scripts, "the docs page loads no script"
    assert all(url.startswith("/docs/assets/") for url in scripts), scripts
    elsewhere = [url for url in ABSOLUTE_URL.findall(html) if urlsplit(url).netloc]
    assert elsewhere == [], "the docs page must work offline, without another host"


def test_docs_assets_are_served(docs_client: FlaskClient) -> None:
    html = docs_client.get("/docs").get_data(as_text=True)
    assets = [url for url in URL_ATTRIBUTE.findall(html) if url.startswith("/docs/assets/")]
    assert len(assets) >= 3  # Swagger UI's stylesheet, bundle and preset
    for url in assets:
        response = docs_client.get(url)
        assert response.status_code == 200, url
        assert response.get_data(), url
        response.close()


def test_the_shipped_swagger_ui_can_read_openapi_3_1(
    docs_client: FlaskClient, document: dict[str, Any]
) -> None:
    # Swagger UI 4 shows "Unable to render this definition" for 3.1; 5 reads it.
    assert document["openapi"].startswith("3.1")
    shipped = (SWAGGER_UI / "VERSION").read_text().strip().lstrip("v")
    assert int(shipped.split(".")[0]) >= 5, shipped
    bundle = docs_client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.get_data() == (SWAGGER_UI / "swagger-ui-bundle.js").read_bytes()
    bundle.close()


OPERATION_ID = re.compile(r"^[a-z][A-Za-z]+$")


def test_every_operation_has_a_unique_camel_case_operation_id(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId") for _label, operation, _item in operations(document)]
    assert all(isinstance(id, str) and OPERATION_ID.match(id) for id in ids), ids
    assert len(set(ids)) == len(ids)
    assert {"listEvents", "getEvent", "createEvent", "updateEvent", "patchEvent"} <= set(ids)


def _documented(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"] if status.isdigit()}


def test_every_write_documents_the_errors_it_can_answer(document: dict[str, Any]) -> None:
    missing = []
    for label, operation, _item in operations(document):
        method, path = label.split(" ", 1)
        expected = set()
        if operation.get("security"):
            expected |= {401, 403}
        if method in ("POST", "PUT", "PATCH") and "requestBody" in operation:
            expected |= {400, 415, 422}
        if method in ("PUT", "PATCH", "DELETE"):
            expected |= {404, 412, 428}
        if method == "GET" and "{id}" in path:
            expected |= {404}
        if any(p.get("in") == "query" for p in operation.get("parameters", [])):
            expected |= {400}
        if expected - _documented(operation):
            missing.append(f"{label}: {sorted(expected - _documented(operation))}")
    assert not missing, "\n".join(missing)


def test_error_answers_are_documented_as_problem_json(document: dict[str, Any]) -> None:
    for status in ("BAD_REQUEST", "PRECONDITION_FAILED", "UNPROCESSABLE_ENTITY"):
        content = document["components"]["responses"][status]["content"]
        assert list(content) == ["application/problem+json"]


def test_what_responses_always_give_is_required(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    # A list's `fields=` may leave out any member of its events but `id`.
    assert schemas["EventListItem"]["required"] == ["id"]
    detail = set(schemas["EventDetail"]["required"])
    assert "snippet" not in detail
    assert {"id", "title", "start_precision", "disputed", "actors"} <= detail
    assert {"citations", "links", "created_at"} <= set(schemas["EventDetail"]["required"])
    assert set(schemas["PageMeta"]["required"]) == set(schemas["PageMeta"]["properties"])
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}


@pytest.mark.parametrize(
    ("schema", "member", "values"),
    [
        ("EventListItem", "start_precision", {"year", "month", "day"}),
        ("ActorRole", "role", {"target", "accused", "court"}),
        ("ActorRole", "kind", {"military_unit", "agency"}),
        ("Link", "kind", {"follows", "related"}),
        ("Link", "direction", {"outgoing", "incoming"}),
        ("Stats", "by", {"year", "month", "actor"}),
        ("Revision", "action", {"create", "update", "delete", "restore"}),
    ],
)
def test_closed_sets_are_enums_in_responses(
    document: dict[str, Any], schema: str, member: str, values: set[str]
) -> None:
    enum = document["components"]["schemas"][schema]["properties"][member]["enum"]
    assert values <= set(enum)


def test_since_is_a_change_id_or_a_moment(document: dict[str, Any]) -> None:
    [since] = [
        p for p in document["paths"]["/v1/changes"]["get"]["parameters"] if p["name"] == "since"
    ]
    assert since["schema"]["oneOf"] == [
        {"type": "integer", "minimum": 0},
        {"type": "string", "format": "date-time"},
    ]
    # The changes feed resumes from meta.last_id, and only its pages promise one.
    schemas = document["components"]["schemas"]
    holding = {name for name, schema in schemas.items() if "last_id" in json.dumps(schema)}
    assert holding == {"ChangesMeta"}


def test_every_component_schema_is_used(document: dict[str, Any]) -> None:
    text = json.dumps(document["paths"]) + json.dumps(document["components"].get("responses"))
    text += json.dumps(document["components"].get("parameters"))
    schemas = document["components"]["schemas"]
    text += json.dumps(schemas)
    unused = [name for name in schemas if f'"#/components/schemas/{name}"' not in text]
    assert not unused, unused


def test_no_url_format_only_uri(document: dict[str, Any]) -> None:
    assert '"format": "url"' not in json.dumps(document)


def _example(parameter: dict[str, Any]) -> Any:
    return parameter.get("example", parameter.get("schema", {}).get("example"))


def try_it_out(document: dict[str, Any], path: str, operation: dict[str, Any]) -> tuple[str, Any]:
    """The request the docs' "Try it out" sends as pre-filled: every example, arrays exploded."""
    item = document["paths"][path]
    url, query = path, []
    for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
        parameter = resolve(document, raw)
        example = _example(parameter)
        if example is None:
            continue
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", str(example))
        elif parameter["in"] == "query":
            values = example if isinstance(example, list) else [example]
            query += [
                (parameter["name"], str(value).lower() if isinstance(value, bool) else value)
                for value in values
            ]
    return url, query


@pytest.mark.parametrize(
    "path",
    [
        path
        for path, item in yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))["paths"].items()
        if "get" in item
    ],
)
def test_try_it_out_with_the_prefilled_examples_finds_data(
    seeded: FlaskClient, document: dict[str, Any], path: str
) -> None:
    url, query = try_it_out(document, path, document["paths"][path]["get"])
    response = seeded.get(url, query_string=query)
    assert response.status_code == 200, (url, query, response.get_data(as_text=True))
    if isinstance(response.json, dict) and isinstance(response.json.get("data"), list):
        assert response.json["data"], (url, query)
