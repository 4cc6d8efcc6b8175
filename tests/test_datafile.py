"""The data-file module: the fast loader and dumper agree with the schemas, and the CSV the API
serves is the CSV it imports."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import ValidationError

from tests.conftest import read_seed
from tests.editing import Tokens, Writer, app_rows, make_token, tokens
from timeline_api.datafile import SCHEMAS, fastload

Item = dict[str, Any]


def seed_items() -> Iterator[tuple[str, Item]]:
    for name, items in read_seed().items():
        for item in items:
            yield name, item


def breakages(item: Item) -> Iterator[Item]:
    """Items marshmallow refuses or must convert: each member made wrong in a few ways."""
    for key, value in item.items():
        wrongs: tuple[Any, ...] = (None, 7, True, 1.5, "", "x" * 3000, [], {}, ["a"], "2024-13")
        for wrong in (*wrongs, "Not A Slug"):
            if wrong != value:
                yield {**item, key: wrong}
        rest = dict(item)
        del rest[key]
        yield rest
    yield {**item, "unknown_member": 1}
    for key, value in item.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in value[0]:
                yield {**item, key: [{**value[0], inner: None}, *value[1:]]}
                yield {**item, key: [{**value[0], inner: 12}, *value[1:]]}


def test_the_fast_loader_loads_what_marshmallow_loads() -> None:
    for name, item in seed_items():
        schema = SCHEMAS[name]
        assert fastload.plan_of(schema)(copy.deepcopy(item)) == schema.load(item), (name, item)


def test_the_fast_loader_never_accepts_what_marshmallow_refuses_or_changes() -> None:
    checked = 0
    for name, item in list(seed_items())[::7]:
        schema = SCHEMAS[name]
        for broken in breakages(item):
            try:
                fast = fastload.plan_of(schema)(copy.deepcopy(broken))
            except fastload.GiveUp:
                continue
            checked += 1
            try:
                assert fast == schema.load(broken), (name, broken)
            except ValidationError as error:
                pytest.fail(f"{name}: the fast loader accepted {broken}: {error.messages}")
    assert checked  # some breakages are fine (a missing optional member): those must agree


def test_the_fast_dumper_dumps_what_marshmallow_dumps() -> None:
    for name, item in seed_items():
        schema = SCHEMAS[name]
        loaded = schema.load(item)
        assert fastload.dump(schema, loaded) == schema.dump(loaded), (name, item)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    table = csv.DictWriter(out, list(rows[0]), lineterminator="\r\n")
    table.writeheader()
    table.writerows(rows)
    return out.getvalue()


def import_csv(admin: Writer, text: str) -> Any:
    return admin.client.post(
        "/v1/import", data=text.encode(), content_type="text/csv", headers=admin.auth
    )


@pytest.fixture
def admin(seeded: FlaskClient, tokens: Tokens) -> Writer:
    return Writer(seeded, tokens.admin)


def test_the_csv_the_api_serves_imports_again_as_it_is(seeded_app: Flask, admin: Writer) -> None:
    served = admin.client.get("/v1/events", query_string={"format": "csv", "limit": 500})
    assert served.status_code == 200
    rows = csv_rows(served.get_data(as_text=True))
    assert rows and all(row["citations"].startswith("[") for row in rows)
    before = app_rows(seeded_app)
    response = import_csv(admin, served.get_data(as_text=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["unchanged"] == {"events": len(rows)}
    assert app_rows(seeded_app) == before


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("earliest", "1999-01-01"),
        ("latest", "1999-12-31"),
        ("start_precision", "month"),
        ("disputed", "true"),
        ("sources", "another-source"),
    ],
)
def test_a_derived_csv_column_that_disagrees_is_refused_by_name(
    seeded_app: Flask, admin: Writer, column: str, value: str
) -> None:
    served = admin.client.get("/v1/events", query_string={"format": "csv", "limit": 3})
    rows = csv_rows(served.get_data(as_text=True))
    rows[1][column] = value
    before = app_rows(seeded_app)
    response = import_csv(admin, as_csv(rows))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [(e["at"], e["pointer"]) for e in response.json["errors"]] == [("row 3", f"/{column}")]
    assert app_rows(seeded_app) == before


def test_derived_csv_columns_may_be_left_out(seeded_app: Flask, admin: Writer) -> None:
    served = admin.client.get("/v1/events", query_string={"format": "csv", "limit": 5})
    derived = ("start_precision", "end_precision", "earliest", "latest", "disputed", "sources")
    rows = [
        {key: value for key, value in row.items() if key not in derived}
        for row in csv_rows(served.get_data(as_text=True))
    ]
    response = import_csv(admin, as_csv(rows))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["unchanged"] == {"events": 5}


def test_a_cell_that_looks_like_a_formula_round_trips(seeded_app: Flask, admin: Writer) -> None:
    served = admin.client.get("/v1/events", query_string={"format": "csv", "limit": 2})
    rows = csv_rows(served.get_data(as_text=True))
    rows[0]["title"] = "'=SUM(A1)"  # the leading ' keeps a spreadsheet from running it
    rows[1]["title"] = "''quoted"
    response = import_csv(admin, as_csv(rows))
    assert response.status_code == 200, response.get_data(as_text=True)
    titles = {row["id"]: row["title"] for row in rows}
    for id, title in titles.items():
        stored = admin.client.get(f"/v1/events/{id}").json["title"]
        assert stored == title[1:]
    again = csv_rows(
        admin.client.get("/v1/events", query_string={"format": "csv", "limit": 2}).get_data(
            as_text=True
        )
    )
    # Served again: the formula escaped, a text starting with one ' left as it is.
    first, second = titles
    assert {row["id"]: row["title"] for row in again} == {first: "'=SUM(A1)", second: "'quoted"}
