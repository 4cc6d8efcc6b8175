"""Counts per year, month, type, actor, country and tag, as a dashboard reads them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def timeline(add_events: Callable[..., None]) -> None:
    add_events(
        {
            "id": "a",
            "start": "2023-05-02",
            "type": "test-type",
            "tags": ["red"],
            "countries": ["TW"],
            "actors": [{"actor": "agency-a", "role": "accuser"}],
        },
        {
            "id": "b",
            "start": "2023-05",
            "type": "other-type",
            "tags": ["red", "blue"],
            "countries": ["TW", "CN"],
            "actors": [
                {"actor": "agency-a", "role": "accuser"},
                {"actor": "agency-b", "role": "target"},
            ],
        },
        {"id": "c", "start": "2023", "type": "test-type", "countries": ["CN"]},
        {"id": "d", "start": "2024-01-09", "end": "2025", "type": "test-type"},
    )


def counts(client: FlaskClient, query: str) -> dict[str, int]:
    """The groups or buckets holding events (zero-filled buckets left out), by key."""
    response = client.get(f"/v1/stats/events?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {bucket["key"]: bucket["count"] for bucket in response.json["data"] if bucket["count"]}


@pytest.mark.usefixtures("timeline")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("by=year", {"2023": 3, "2024": 1}),
        # A start known only to the year is not guessed into a month (see test_charts.py).
        ("by=month", {"2023-05": 2, "2024-01": 1}),
        ("by=type", {"test-type": 3, "other-type": 1}),
        ("by=actor", {"agency-a": 2, "agency-b": 1}),
        ("by=country", {"TW": 2, "CN": 2}),
        ("by=tag", {"red": 2, "blue": 1}),
        ("by=year&from=2024", {"2024": 1}),
        ("by=type&tag=red", {"test-type": 1, "other-type": 1}),
        ("by=country&actor=agency-b", {"TW": 1, "CN": 1}),
    ],
)
def test_counts_follow_the_events_filters(
    client: FlaskClient, query: str, expected: dict[str, int]
) -> None:
    assert counts(client, query) == expected


@pytest.mark.usefixtures("timeline")
def test_groups_of_things_come_largest_first_with_names(client: FlaskClient) -> None:
    data = client.get("/v1/stats/events?by=type").json["data"]
    assert data[0] == {"key": "test-type", "label": "Test type", "count": 3}


@pytest.mark.usefixtures("timeline")
def test_counts_agree_with_the_events_list(client: FlaskClient) -> None:
    listed = client.get("/v1/events?from=2023-05&to=2023-05").json["meta"]["total"]
    assert sum(counts(client, "by=year&from=2023-05&to=2023-05").values()) == listed


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "by"),
        ("by=week", "by"),  # needs from and to
        ("by=fortnight", "by"),
        ("by=year&from=2024&to=2023", "from"),
        ("by=type&type=nope", "type"),
        ("by=year&sort=start", "sort"),
    ],
)
def test_bad_stats_queries_name_the_parameter(
    client: FlaskClient, query: str, parameter: str
) -> None:
    response = client.get(f"/v1/stats/events?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [error["parameter"] for error in response.json["errors"]] == [parameter]


def test_the_seed_timeline_counts_its_events_per_year(seeded: FlaskClient) -> None:
    total = seeded.get("/v1/events?limit=500").json["meta"]["total"]
    per_year = counts(seeded, "by=year")
    assert sum(per_year.values()) == total
    assert per_year["2025"] >= 8  # the bounty, the denial, the report, the sentencing, ...
