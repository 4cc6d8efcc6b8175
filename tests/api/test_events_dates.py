"""GET /v1/events `from`/`to` and `sort`: partial dates read at their widest, ends inclusive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import ids

# For one event's (start, end): each query, and whether it lists the event.
RANGE_CASES = [
    pytest.param(
        "2025-06-05",
        None,
        {
            "from=2025-06-05&to=2025-06-05": True,
            "to=2025-06-04": False,
            "to=2025-06-05": True,
            "from=2025-06-05": True,
            "from=2025-06-06": False,
            "from=2025-06&to=2025-06": True,
            "from=2025&to=2025": True,
            "to=2025-05": False,
            "from=2025-07": False,
        },
        id="day",
    ),
    pytest.param(
        "2025-06",
        None,
        {
            "to=2025-06-03": True,
            "from=2025-06-30": True,
            "from=2025-06-15&to=2025-06-15": True,
            "to=2025-05-31": False,
            "from=2025-07-01": False,
            "from=2024&to=2024": False,
        },
        id="month",
    ),
    pytest.param(
        "2002",
        None,
        {
            "from=2002-12-31": True,
            "to=2002-01-01": True,
            "from=2002-07&to=2002-07": True,
            "from=2003-01-01": False,
            "to=2001-12-31": False,
        },
        id="year",
    ),
    pytest.param(
        "2022",
        "2024",
        {
            "from=2023&to=2023": True,
            "from=2010&to=2030": True,
            "from=2024-12-31": True,
            "to=2022-01-01": True,
            "from=2025-01-01": False,
            "to=2021": False,
        },
        id="years",
    ),
    pytest.param(
        "2022-03-10",
        "2022-03-20",
        {
            "from=2022-03-20": True,
            "to=2022-03-10": True,
            "from=2022-03-12&to=2022-03-13": True,
            "from=2022-03-21": False,
            "to=2022-03-09": False,
        },
        id="days",
    ),
    pytest.param(
        "2021-11",
        "2022",
        {
            "to=2021-11-01": True,
            "to=2021-10-31": False,
            "from=2022-12-31": True,
            "from=2023": False,
        },
        id="month-to-year",
    ),
    # Leap years: February 2024 has a 29th, February 2023 has not.
    pytest.param(
        "2024-02",
        None,
        {"from=2024-02-29": True, "to=2024-01-31": False, "from=2024-03-01": False},
        id="leap-february",
    ),
    pytest.param(
        "2023-02",
        None,
        {"from=2023-02-28": True, "from=2023-03-01": False},
        id="plain-february",
    ),
    pytest.param(
        "2024-02-29",
        None,
        {
            "to=2024-02-29": True,
            "from=2024-02-29": True,
            "from=2024-02&to=2024-02": True,
            "from=2024-03-01": False,
            "to=2024-02-28": False,
        },
        id="leap-day",
    ),
    # Open-ended and unbounded ranges.
    pytest.param(
        "1990",
        None,
        {"": True, "from=1990": True, "from=1991": False, "to=1990": True, "to=1989": False},
        id="open-ended-year",
    ),
    pytest.param(
        "1990",
        "2090",
        {"": True, "from=2050": True, "to=2000": True, "from=2091": False, "to=1989-12": False},
        id="open-ended-period",
    ),
]


@pytest.mark.parametrize(("start", "end", "listed"), RANGE_CASES)
def test_event_is_listed_when_its_widest_span_can_overlap_the_range(
    client: FlaskClient,
    add_event: Callable[..., None],
    start: str,
    end: str | None,
    listed: dict[str, bool],
) -> None:
    add_event("the-event", start, end)
    found = {query: ids(client.get(f"/v1/events?{query}")) == ["the-event"] for query in listed}
    assert found == listed


def test_open_ended_ranges_split_the_timeline_at_the_same_day(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(
        {"id": "before", "start": "2020-05-31"},
        {"id": "across", "start": "2020-05", "end": "2020-07"},
        {"id": "on-the-day", "start": "2020-06-01"},
        {"id": "after", "start": "2020-06-02"},
    )
    assert ids(client.get("/v1/events?from=2020-06-01")) == ["across", "on-the-day", "after"]
    assert ids(client.get("/v1/events?to=2020-06-01")) == ["across", "before", "on-the-day"]
    assert ids(client.get("/v1/events?from=2020-06-01&to=2020-06-01")) == [
        "across",
        "on-the-day",
    ]


# Events as entered, and the dates the API gives back for each.
ROUND_TRIPS: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "year": ("2002", None, {
        "start": "2002", "start_precision": "year", "end": None, "end_precision": None,
        "earliest": "2002-01-01", "latest": "2002-12-31"}),
    "month": ("2025-06", None, {
        "start": "2025-06", "start_precision": "month", "end": None, "end_precision": None,
        "earliest": "2025-06-01", "latest": "2025-06-30"}),
    "leap-february": ("2024-02", None, {
        "start": "2024-02", "start_precision": "month", "end": None, "end_precision": None,
        "earliest": "2024-02-01", "latest": "2024-02-29"}),
    "plain-february": ("2023-02", None, {
        "start": "2023-02", "start_precision": "month", "end": None, "end_precision": None,
        "earliest": "2023-02-01", "latest": "2023-02-28"}),
    "leap-day": ("2024-02-29", None, {
        "start": "2024-02-29", "start_precision": "day", "end": None, "end_precision": None,
        "earliest": "2024-02-29", "latest": "2024-02-29"}),
    "years": ("2022", "2024", {
        "start": "2022", "start_precision": "year", "end": "2024", "end_precision": "year",
        "earliest": "2022-01-01", "latest": "2024-12-31"}),
    "month-to-day": ("2021-11", "2022-01-15", {
        "start": "2021-11", "start_precision": "month", "end": "2022-01-15",
        "end_precision": "day", "earliest": "2021-11-01", "latest": "2022-01-15"}),
    "day-to-year": ("2019-12-31", "2020", {
        "start": "2019-12-31", "start_precision": "day", "end": "2020", "end_precision": "year",
        "earliest": "2019-12-31", "latest": "2020-12-31"}),
}  # fmt: skip


def test_dates_come_back_exactly_as_entered_with_their_widest_days(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(
        *(
            {"id": slug, "start": start, **({"end": end} if end else {})}
            for slug, (start, end, _) in ROUND_TRIPS.items()
        )
    )
    expected = {slug: dates for slug, (_, _, dates) in ROUND_TRIPS.items()}
    listed = {
        record["id"]: {name: record[name] for name in record if name in expected[record["id"]]}
        for record in client.get("/v1/events").json["data"]
    }
    assert listed == expected
    for slug, dates in expected.items():
        detail = client.get(f"/v1/events/{slug}").json
        assert {name: detail[name] for name in dates} == dates


def test_only_days_the_calendar_has_are_accepted(client: FlaskClient) -> None:
    # query → the parameter a 400 names, or None for a 200
    expected = {
        "from=2024-02-29": None,
        "to=2024-02-29": None,
        "from=2000-02-29": None,  # divisible by 400: a leap year
        "from=2023-02-29": "from",
        "to=2023-02-29": "to",
        "from=1900-02-29": "from",  # divisible by 100, not by 400: no leap day
        "to=2024-02-30": "to",
        "from=2024-00": "from",
        "to=2024-00": "to",
        "from=2024-06-00": "from",
    }
    found: dict[str, str | None] = {}
    for query in expected:
        response = client.get(f"/v1/events?{query}")
        if response.status_code == 200:
            found[query] = None
        else:
            assert response.status_code == 400, query
            assert response.mimetype == "application/problem+json", query
            (error,) = response.json["errors"]
            found[query] = error["parameter"]
    assert found == expected


# Each event's spans, importance and title differ, so every sort has exactly one right answer;
# "echo" and "alpha" share their first day, so `start` falls back on the last day.
SORTABLE: list[dict[str, Any]] = [
    {"id": "alpha", "start": "2020", "end": "2024", "importance": 2, "title": "Alpha"},
    {"id": "bravo", "start": "2021-06-15", "importance": 5, "title": "Bravo"},
    {"id": "charlie", "start": "2020-03", "importance": 1, "title": "Charlie"},
    {"id": "delta", "start": "2019-12-31", "end": "2020-01-01", "importance": 4, "title": "Delta"},
    {"id": "echo", "start": "2020", "importance": 3, "title": "Echo"},
]


def test_sort_orders_the_whole_list(client: FlaskClient, add_events: Callable[..., None]) -> None:
    add_events(*SORTABLE)
    expected = {
        "start": ["delta", "echo", "alpha", "charlie", "bravo"],
        "-start": ["bravo", "charlie", "alpha", "echo", "delta"],
        "end": ["delta", "charlie", "echo", "bravo", "alpha"],
        "-end": ["alpha", "bravo", "echo", "charlie", "delta"],
        "importance": ["charlie", "alpha", "echo", "delta", "bravo"],
        "-importance": ["bravo", "delta", "echo", "alpha", "charlie"],
        "title": ["alpha", "bravo", "charlie", "delta", "echo"],
        "-title": ["echo", "delta", "charlie", "bravo", "alpha"],
    }
    responses = {sort: client.get("/v1/events", query_string={"sort": sort}) for sort in expected}
    assert {sort: ids(response) for sort, response in responses.items()} == expected
    assert {sort: response.json["meta"]["sort"] for sort, response in responses.items()} == {
        sort: sort for sort in expected
    }


def test_the_default_order_is_by_start(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*reversed(SORTABLE))
    response = client.get("/v1/events")
    assert ids(response) == ["delta", "echo", "alpha", "charlie", "bravo"]
    assert response.json["meta"]["sort"] == "start"


def test_equal_importance_lists_earlier_events_first_either_way(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(
        {"id": "late", "start": "2024", "importance": 3},
        {"id": "early", "start": "2001", "importance": 3},
        {"id": "middle", "start": "2010-05", "importance": 3},
    )
    assert ids(client.get("/v1/events?sort=importance")) == ["early", "middle", "late"]
    assert ids(client.get("/v1/events?sort=-importance")) == ["early", "middle", "late"]


def test_sorting_by_start_puts_a_day_before_its_month_and_year(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(
        {"id": "the-year", "start": "2020"},
        {"id": "the-month", "start": "2020-01"},
        {"id": "the-day", "start": "2020-01-01"},
    )
    assert ids(client.get("/v1/events?sort=start")) == ["the-day", "the-month", "the-year"]
    assert ids(client.get("/v1/events?sort=-end")) == ["the-year", "the-month", "the-day"]


def test_sorting_combines_with_a_range(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*SORTABLE)
    response = client.get("/v1/events?from=2020-02&to=2021&sort=-start")
    assert ids(response) == ["bravo", "charlie", "alpha", "echo"]
