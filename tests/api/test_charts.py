"""Counts over time as charting tools read them: buckets, groups, zeros, totals, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def timeline(add_events: Callable[..., None]) -> None:
    add_events(
        {"id": "a", "start": "2020-03-02", "type": "test-type", "countries": ["TW"]},
        {"id": "b", "start": "2020-03", "type": "other-type", "countries": ["TW", "CN"]},
        {"id": "c", "start": "2020", "type": "test-type"},  # known only to the year
        {"id": "d", "start": "2022-01-09", "end": "2025", "type": "test-type"},
    )


def stats(client: FlaskClient, query: str) -> Any:
    response = client.get(f"/v1/stats/events?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


@pytest.mark.usefixtures("timeline")
def test_empty_years_are_zero_rows_not_gaps(client: FlaskClient) -> None:
    data = stats(client, "by=year")["data"]
    assert [(row["key"], row["count"]) for row in data] == [("2020", 3), ("2021", 0), ("2022", 1)]
    assert data[1]["bucket_start"] == "2021-01-01"
    assert data[1]["bucket_end"] == "2021-12-31"


@pytest.mark.usefixtures("timeline")
def test_a_year_only_start_is_never_a_fake_january(client: FlaskClient) -> None:
    body = stats(client, "by=month")
    months = {row["key"]: row["count"] for row in body["data"]}
    assert months["2020-01"] == 0
    assert months["2020-03"] == 2
    assert months["2022-01"] == 1
    assert len(months) == 25  # 2020-01 (the undated year's start) .. 2022-01, every month
    for row in body["data"]:  # what pandas.to_datetime(format="%Y-%m") needs
        datetime.strptime(row["key"], "%Y-%m")
    assert body["undated"] == [
        {
            "key": "2020",
            "label": "2020",
            "bucket_start": "2020-01-01",
            "bucket_end": "2020-12-31",
            "precision": "year",
            "count": 1,
        }
    ]
    assert "known only to a coarser year or month" in body["rule"]


@pytest.mark.usefixtures("timeline")
def test_month_by_type_in_one_request_with_every_type_in_every_month(
    client: FlaskClient,
) -> None:
    body = stats(client, "by=month&group=type&from=2020-02&to=2020-04")
    rows = [(row["key"], row["group"], row["count"]) for row in body["data"]]
    assert rows == [
        ("2020-02", "other-type", 0),
        ("2020-02", "test-type", 0),
        ("2020-03", "other-type", 1),
        ("2020-03", "test-type", 1),
        ("2020-04", "other-type", 0),
        ("2020-04", "test-type", 0),
    ]
    assert body["data"][2]["group_label"] == "Other type"
    assert [(row["key"], row["group"]) for row in body["undated"]] == [("2020", "test-type")]


@pytest.mark.usefixtures("timeline")
def test_groups_by_country_count_an_event_for_each(client: FlaskClient) -> None:
    data = stats(client, "by=quarter&group=country&from=2020-01&to=2020-06")["data"]
    assert [(row["key"], row["group"], row["count"]) for row in data] == [
        ("2020-Q1", "CN", 1),
        ("2020-Q1", "TW", 2),
        ("2020-Q2", "CN", 0),
        ("2020-Q2", "TW", 0),
    ]


@pytest.mark.usefixtures("timeline")
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("by=day&from=2020-03-01&to=2020-03-03", ("2020-03-01", "2020-03-01", "2020-03-01")),
        ("by=week&from=2022-01-01&to=2022-01-31", ("2021-W52", "2021-12-27", "2022-01-02")),
        ("by=quarter&from=2020-03", ("2020-Q1", "2020-01-01", "2020-03-31")),
    ],
)
def test_buckets_carry_their_first_and_last_day(
    client: FlaskClient, query: str, first: tuple[str, str, str]
) -> None:
    row = stats(client, query)["data"][0]
    assert (row["key"], row["bucket_start"], row["bucket_end"]) == first


@pytest.mark.usefixtures("timeline")
def test_week_and_day_buckets_place_only_day_precise_starts(client: FlaskClient) -> None:
    body = stats(client, "by=week&from=2020-03-01&to=2020-03-10")
    assert [(row["key"], row["count"]) for row in body["data"]] == [
        ("2020-W09", 0),
        ("2020-W10", 1),
        ("2020-W11", 0),
    ]
    assert [(row["key"], row["precision"]) for row in body["undated"]] == [
        ("2020", "year"),
        ("2020-03", "month"),
    ]


@pytest.mark.usefixtures("timeline")
def test_cumulative_counts_what_has_started_by_each_bucket_end(client: FlaskClient) -> None:
    data = stats(client, "by=month&cumulative=true&from=2020-02&to=2021-01")["data"]
    running = {row["key"]: row["cumulative"] for row in data}
    assert running["2020-02"] == 0
    assert running["2020-03"] == 2
    assert running["2020-11"] == 2
    assert running["2020-12"] == 3  # the year-only event: surely started by 31 December
    assert running["2021-01"] == 3


@pytest.mark.usefixtures("timeline")
def test_events_begun_before_the_range_are_counted_apart(client: FlaskClient) -> None:
    body = stats(client, "by=year&from=2024&to=2025&cumulative=true")
    assert body["before"] == 1  # d runs 2022..2025
    assert [(row["key"], row["count"], row["cumulative"]) for row in body["data"]] == [
        ("2024", 0, 1),
        ("2025", 0, 1),
    ]


@pytest.mark.usefixtures("timeline")
def test_whole_timeline_counts_match_the_windowed_ones(client: FlaskClient) -> None:
    # Without dates the counts table answers; with them, the window's index ranges.
    whole = stats(client, "by=month&group=type")
    windowed = stats(client, "by=month&group=type&from=2019&to=2023")
    assert whole["data"] == [
        row for row in windowed["data"] if "2020-01" <= row["key"] <= "2022-01"
    ]
    assert whole["undated"] == windowed["undated"]


@pytest.mark.usefixtures("timeline")
def test_stats_as_csv_parse_with_a_header(client: FlaskClient) -> None:
    response = client.get("/v1/stats/events?by=year&group=type&cumulative=true&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == [
        "bucket_start",
        "bucket_end",
        "key",
        "precision",
        "group",
        "group_label",
        "count",
        "cumulative",
    ]
    assert rows[0] == {
        "bucket_start": "2020-01-01",
        "bucket_end": "2020-12-31",
        "key": "2020",
        "precision": "year",
        "group": "other-type",
        "group_label": "Other type",
        "count": "1",
        "cumulative": "1",
    }
    assert len(rows) == 6  # three years, two types; nothing undated under years
    by_type = client.get("/v1/stats/events?by=type&format=csv").get_data(as_text=True)
    assert by_type.splitlines() == [
        "key,label,count",
        "test-type,Test type,3",
        "other-type,Other type,1",
    ]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("by=type&group=country", "group"),
        ("by=type&cumulative=true", "cumulative"),
        ("by=day&from=2024", "by"),
        ("by=day&from=0001&to=9999", "by"),  # millions of rows
        ("by=month&group=month", "group"),
        ("by=month&format=xlsx", "format"),
    ],
)
def test_bad_chart_queries_name_the_parameter(
    client: FlaskClient, add_events: Callable[..., None], query: str, parameter: str
) -> None:
    add_events({"id": "x", "start": "2024-05-05"})
    response = client.get(f"/v1/stats/events?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["parameter"] == parameter


def test_a_series_comes_as_csv_with_iso_periods(seeded: FlaskClient) -> None:
    path = "/v1/series/tw-nsb-chinese-espionage-prosecutions"
    points = seeded.get(path).json["points"]
    response = seeded.get(f"{path}?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["period"], row["value"]) for row in rows] == [
        (point["period"], str(point["value"])) for point in points
    ]
    assert rows[0]["period_start"] == points[0]["earliest"]
    assert rows[0]["period_end"] == points[0]["latest"]
    accepted = seeded.get(path, headers={"Accept": "text/csv"})
    assert accepted.get_data() == response.get_data()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/series?format=csv",
        "/v1/series?page=2",
        "/v1/series/tw-nsb-chinese-espionage-prosecutions?fmt=csv",
        "/v1/series/tw-nsb-chinese-espionage-prosecutions?format=xml",
    ],
)
def test_series_refuse_unknown_parameters(seeded: FlaskClient, path: str) -> None:
    response = seeded.get(path)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
