"""A first look at the events list through the HTTP client."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.conftest import ids


def test_period_is_listed_for_a_year_inside_it(
    client: FlaskClient, add_event: Callable[..., None]
) -> None:
    add_event("long-spy-ring", "2002", "2024")
    add_event("later", "2025-06")
    response = client.get("/v1/events", query_string={"from": "2010", "to": "2010"})
    assert ids(response) == ["long-spy-ring"]


def test_from_after_to_names_the_field(client: FlaskClient) -> None:
    response = client.get("/v1/events?from=2024&to=2022")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["parameter"] == "from"
