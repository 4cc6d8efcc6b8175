"""meta.total and the stats agree with the events themselves, however they are counted.

Totals come from per-month counts kept by triggers, from index ranges per span class, or from
a filter's own rows (queries/counts.py): each path is checked here against the pages a client
walks, on windows with open ends, partial dates and month edges.
"""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import ids
from tests.editing import Writer, event_body, tokens, writer
from timeline_api.dates import DateSpan, parse_partial_date
from timeline_api.queries import fulltext

# Instants of each precision and periods from a day to decades, on and off month edges.
DATES: list[tuple[str, str | None]] = [
    ("1990", None),
    ("1990", "2024"),
    ("2001-02-28", "2001-03-01"),
    ("2010", None),
    ("2010-03", None),
    ("2010-03-01", None),
    ("2010-03-31", "2010-04-01"),
    ("2010-02-15", "2010-03-15"),
    ("2009-12", "2010-01"),
    ("2010-06-30", None),
    ("2011-01-01", "2011-12-31"),
    ("2005", "2010-02"),
    ("2012-07-04", "2015"),
    ("2024-02-29", None),
    ("1999-12-31", "2000-01-01"),
    ("2030", "2031"),
]
WINDOWS = [
    "",
    "from=2010",
    "to=2010",
    "from=2010-03",
    "from=2010-03-15",
    "to=2010-03-15",
    "from=2010-03-01&to=2010-03-31",
    "from=2010-02-20&to=2010-04-10",
    "from=2009-12-31&to=2010-01-01",
    "from=2010-04-02&to=2010-06-29",
    "from=2001-03-01&to=2001-03-01",
    "from=1995&to=2012-06",
    "from=0001-01-01",
    "to=9999-12-31",
    "from=9999-12-15",
]


def dated_events() -> list[dict[str, Any]]:
    return [
        {
            "id": f"dated-{number:02d}",
            "start": start,
            **({"end": end} if end else {}),
            "type": "other-type" if number % 3 == 0 else "test-type",
            "tags": ["red"] if number % 2 else [],
            "actors": [{"actor": "agency-a", "role": "subject"}] if number % 4 == 1 else [],
        }
        for number, (start, end) in enumerate(DATES)
    ]


def overlapping(events: list[dict[str, Any]], query: str) -> set[str]:
    """What a window means, computed here from the dates themselves."""
    params = dict(part.split("=") for part in query.split("&") if part)
    first = parse_partial_date(params["from"]).first if "from" in params else None
    last = parse_partial_date(params["to"]).last if "to" in params else None
    found = set()
    for event in events:
        start = parse_partial_date(event["start"])
        span = DateSpan.of(start, parse_partial_date(event["end"]) if "end" in event else None)
        if (first is None or span.last >= first) and (last is None or span.first <= last):
            found.add(event["id"])
    return found


def walked(client: FlaskClient, query: str) -> list[str]:
    url: str | None = f"/v1/events?{query}&limit=3"
    found: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        found += ids(response)
        url = response.json["links"]["next"]
    return found


@pytest.mark.parametrize("window", WINDOWS)
def test_totals_count_what_the_pages_hold(
    client: FlaskClient, add_events: Callable[..., None], window: str
) -> None:
    events = dated_events()
    add_events(*events)
    for extra in ("", "type=other-type", "tag=red", "actor=agency-a", "sort=-end"):
        query = "&".join(part for part in (window, extra) if part)
        expected = overlapping(
            [
                e
                for e in events
                if extra != "type=other-type" or e["type"] == "other-type"
                if extra != "tag=red" or e["tags"]
                if extra != "actor=agency-a" or e["actors"]
            ],
            window,
        )
        response = client.get(f"/v1/events?{query}&limit=2")
        pages = walked(client, query)
        assert sorted(pages) == sorted(expected), query
        assert response.json["meta"]["total"] == len(expected), query
        assert response.json["meta"]["total_is_exact"] is True
        assert response.headers["X-Total-Count"] == str(len(expected)), query


@pytest.mark.parametrize("window", ["", "from=2010-03-15", "from=1995&to=2012-06"])
def test_stats_per_year_count_what_the_list_holds(
    client: FlaskClient, add_events: Callable[..., None], window: str
) -> None:
    events = dated_events()
    add_events(*events)
    for extra in ("", "type=test-type", "tag=red"):
        query = "&".join(part for part in (window, extra) if part)
        listed = client.get(f"/v1/events?{query}&limit=500").json["data"]
        expected = Counter(event["start"][:4] for event in listed)
        counted = client.get(f"/v1/stats/events?by=year&{query}").json
        held = {bucket["key"]: bucket["count"] for bucket in counted["data"] if bucket["count"]}
        # Years between are zero rows, and events begun before `from` are counted in
        # `before` rather than in buckets outside the range (tests/api/test_charts.py).
        first = window[5:9] if window.startswith("from=") else "0000"
        assert held == {year: n for year, n in expected.items() if year >= first}, query
        assert counted["before"] == sum(n for year, n in expected.items() if year < first)
        by_type = client.get(f"/v1/stats/events?by=type&{query}").json["data"]
        assert sum(bucket["count"] for bucket in by_type) == len(listed), query


def totals(client: FlaskClient) -> tuple[int, dict[str, int]]:
    listed = client.get("/v1/events?limit=1").json["meta"]["total"]
    per_year = client.get("/v1/stats/events?by=year").json["data"]
    # Years holding events: the zero rows between them come and go with the range.
    return listed, {bucket["key"]: bucket["count"] for bucket in per_year if bucket["count"]}


def test_counts_follow_every_write(seeded: FlaskClient, writer: Writer) -> None:
    before, years = totals(seeded)
    created = writer.post("/v1/events", event_body("counted-1999", start="1999-05"))
    assert created.status_code == 201, created.get_data(as_text=True)
    assert totals(seeded) == (before + 1, {**years, "1999": years.get("1999", 0) + 1})

    moved = writer.patch("/v1/events/counted-1999", {"start": "1998"})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    after_move = {**years, "1998": years.get("1998", 0) + 1}
    assert totals(seeded) == (before + 1, {k: v for k, v in after_move.items() if v})

    assert writer.delete("/v1/events/counted-1999").status_code == 204
    assert totals(seeded) == (before, years)


def test_a_search_too_common_to_count_is_estimated_and_says_so(
    client: FlaskClient, add_events: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    # SOME stands for the 10,000 matches beyond which counting would cost a scan.
    monkeypatch.setattr(fulltext, "SOME", 4)
    monkeypatch.setattr(fulltext, "FEW", 2)
    add_events(*({"id": f"word-{n}", "start": f"20{n:02d}", "title": "Bounty"} for n in range(12)))
    add_events({"id": "rare", "start": "2011", "title": "Bounty warrant"})
    estimated = client.get("/v1/events?q=bounty&limit=5")
    meta = estimated.json["meta"]
    assert meta["total_is_exact"] is False
    assert "X-Total-Count" not in estimated.headers
    assert 6 <= meta["total"] <= 26  # the right size, not a count
    assert ids(estimated) == [f"word-{n}" for n in range(5)]  # pages stay exact
    everything = [f"word-{n}" for n in range(12)]
    assert walked(client, "q=bounty") == [*everything, "rare"]

    counted = client.get("/v1/events?q=warrant&from=2009")
    assert counted.json["meta"]["total"] == 1
    assert counted.json["meta"]["total_is_exact"] is True


def test_a_search_leaves_deleted_events_out_of_its_pages_and_total(
    seeded: FlaskClient, writer: Writer
) -> None:
    """A search alone is counted and ranked in the full-text index, which still holds deleted
    events: they must not show, nor count."""
    for n in range(3):
        body = event_body(f"zeppelin-{n}", start=f"200{n}")
        assert writer.post("/v1/events", {**body, "title": "Zeppelin sighted"}).status_code == 201
    assert writer.delete("/v1/events/zeppelin-1").status_code == 204
    for sort in ("relevance", "start"):
        found = seeded.get(f"/v1/events?q=zeppelin&sort={sort}").json
        assert [event["id"] for event in found["data"]] == ["zeppelin-0", "zeppelin-2"], sort
        assert found["meta"]["total"] == 2
        assert found["meta"]["total_is_exact"] is True
    paged = seeded.get("/v1/events?q=zeppelin&sort=relevance&limit=1").json
    second = seeded.get(paged["links"]["next"]).json
    assert [paged["data"][0]["id"], second["data"][0]["id"]] == ["zeppelin-0", "zeppelin-2"]
