"""The list in other formats, each read by the library its users read it with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import brotli
import icalendar
import jsonschema
import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from timeline_api.services import imports

SOURCES = [
    {"id": "test-source", "publisher": "Test", "title": "A test page"},
    {
        "id": "web-source",
        "publisher": "Daily Paper",
        "author": "A. Writer",
        "title": "A report",
        "url": "https://example.org/report",
    },
]

# TimelineJS 3's JSON format as its documentation gives it: `events` of slides, each with a
# `start_date` of year (month, day) numbers, optional `end_date`, `text`, `media` (a `url`),
# `group`, `display_date` and `unique_id`.
DATE = {
    "type": "object",
    "required": ["year"],
    "properties": {
        "year": {"type": "integer"},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "day": {"type": "integer", "minimum": 1, "maximum": 31},
        "display_date": {"type": "string"},
    },
    "additionalProperties": False,
}
TIMELINEJS = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date"],
                "properties": {
                    "start_date": DATE,
                    "end_date": DATE,
                    "text": {
                        "type": "object",
                        "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
                        "additionalProperties": False,
                    },
                    "media": {
                        "type": "object",
                        "required": ["url"],
                        "properties": {
                            key: {"type": "string"}
                            for key in ("url", "caption", "credit", "thumbnail", "alt", "link")
                        },
                        "additionalProperties": False,
                    },
                    "group": {"type": "string"},
                    "display_date": {"type": "string"},
                    "unique_id": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "title": {"type": "object"},
        "eras": {"type": "array"},
        "scale": {"enum": ["human", "cosmological"]},
    },
    "additionalProperties": False,
}


@pytest.fixture
def timeline(app: Flask, add_events: Callable[..., None]) -> None:
    with app.app_context():
        session = app.extensions["db_sessions"]()
        imports.load(session, {"sources": SOURCES})
        session.commit()
        session.close()
    add_events(
        {
            "id": "long-ring",
            "start": "2002",
            "end": "2024",
            "title": "A spy ring <runs>",
            "is_approximate": True,
            "date_note": "Estimated.",
            "citations": [
                {"source": "web-source", "quote": "It ran for years.", "note": "dates"},
                {"source": "test-source", "note": "also"},
            ],
        },
        {"id": "arrest", "start": "2024-06", "type": "other-type"},
        {"id": "verdict", "start": "2025-03-26"},
    )


@pytest.mark.usefixtures("timeline")
def test_timelinejs_reads_partial_dates_as_its_own_fields(client: FlaskClient) -> None:
    response = client.get("/v1/events?format=timelinejs")
    assert response.status_code == 200
    # Its own media type (JSON all the same): the document says which shape each answer has.
    assert response.mimetype == "application/vnd.timelinejs+json"
    by_accept = client.get("/v1/events", headers={"Accept": "application/vnd.timelinejs+json"})
    assert by_accept.json == response.json
    document = response.json
    jsonschema.validate(document, TIMELINEJS)
    ring, arrest, verdict = document["events"]
    assert ring["start_date"] == {"year": 2002}  # a year stays a year: no fake 1 January
    assert ring["end_date"] == {"year": 2024}
    assert arrest["start_date"] == {"year": 2024, "month": 6}
    assert "end_date" not in arrest
    assert verdict["start_date"] == {"year": 2025, "month": 3, "day": 26}
    assert ring["display_date"] == "c. 2002 – 2024"
    assert verdict["display_date"] == "2025-03-26"
    assert ring["text"]["headline"] == "A spy ring &lt;runs&gt;"  # TimelineJS renders HTML
    assert [slide["group"] for slide in document["events"]] == [
        "Test type",
        "Other type",
        "Test type",
    ]
    assert ring["unique_id"] == "long-ring"


@pytest.mark.usefixtures("timeline")
def test_timelinejs_media_credits_the_first_citation(client: FlaskClient) -> None:
    ring, arrest, _ = client.get("/v1/events?format=timelinejs").json["events"]
    assert ring["media"] == {
        "url": "https://example.org/report",
        "credit": "Daily Paper, A. Writer",
        "link": "https://example.org/report",
        "caption": "It ran for years.",
    }
    assert "media" not in arrest  # its source has no address to show


@pytest.mark.usefixtures("timeline")
def test_timelinejs_follows_the_filters_and_pages(client: FlaskClient) -> None:
    response = client.get("/v1/events?format=timelinejs&type=other-type")
    assert [slide["unique_id"] for slide in response.json["events"]] == ["arrest"]
    paged = client.get("/v1/events?format=timelinejs&limit=2")
    assert len(paged.json["events"]) == 2
    assert 'rel="next"' in paged.headers["Link"]


@pytest.mark.usefixtures("timeline")
def test_icalendar_has_all_day_spans_over_the_widest_dates(client: FlaskClient) -> None:
    response = client.get("/v1/events?format=ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(item["UID"]): item for item in calendar.walk("VEVENT")}
    assert set(events) == {"long-ring@timeline-api", "arrest@timeline-api", "verdict@timeline-api"}
    ring = events["long-ring@timeline-api"]
    assert ring.decoded("DTSTART") == date(2002, 1, 1)
    assert ring.decoded("DTEND") == date(2025, 1, 1)  # exclusive: through 31 December 2024
    assert str(ring["SUMMARY"]) == "A spy ring <runs>"
    assert "known to the year" in str(ring["DESCRIPTION"])
    assert "approximate" in str(ring["DESCRIPTION"])
    arrest = events["arrest@timeline-api"]
    assert (arrest.decoded("DTSTART"), arrest.decoded("DTEND")) == (
        date(2024, 6, 1),
        date(2024, 7, 1),
    )
    verdict = events["verdict@timeline-api"]
    assert verdict.decoded("DTEND") == date(2025, 3, 27)
    assert str(verdict["URL"]).endswith("/v1/events/verdict")


@pytest.mark.usefixtures("timeline")
def test_icalendar_is_chosen_by_accept_too(client: FlaskClient) -> None:
    response = client.get("/v1/events?from=2025", headers={"Accept": "text/calendar"})
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [str(item["UID"]) for item in calendar.walk("VEVENT")] == ["verdict@timeline-api"]


def test_icalendar_folds_long_lines_and_keeps_text_whole(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    title = "Très long titre, avec virgules; points-virgules et accents " * 3
    add_events({"id": "long", "start": "2024", "title": title.strip()})
    response = client.get("/v1/events?format=ics")
    assert all(len(line) <= 75 for line in response.data.split(b"\r\n"))
    event = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title.strip()


@pytest.mark.usefixtures("timeline")
def test_ndjson_streams_every_match_without_paging(client: FlaskClient) -> None:
    response = client.get("/v1/events?format=ndjson&limit=1")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.is_streamed
    lines = response.get_data().splitlines()
    events = [orjson.loads(line) for line in lines]
    assert [event["id"] for event in events] == ["long-ring", "arrest", "verdict"]
    listed = client.get("/v1/events").json["data"]
    assert events == listed  # each line is the list's item, as it is


def test_ndjson_walks_batches_in_order(
    client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*({"id": f"event-{n:04d}", "start": "2024-01-01"} for n in range(1, 1201)))
    response = client.get("/v1/events?format=ndjson&fields=start")
    events = [orjson.loads(line) for line in response.get_data().splitlines()]
    assert [event["id"] for event in events] == [f"event-{n:04d}" for n in range(1, 1201)]
    assert events[0] == {"id": "event-0001", "start": "2024-01-01"}


@pytest.mark.usefixtures("timeline")
def test_ndjson_keeps_filters_includes_and_accept(client: FlaskClient) -> None:
    response = client.get(
        "/v1/events?type=test-type&include=citations",
        headers={"Accept": "application/x-ndjson"},
    )
    events = [orjson.loads(line) for line in response.get_data().splitlines()]
    assert [event["id"] for event in events] == ["long-ring", "verdict"]
    assert events[0]["citations"][0]["source"]["id"] == "web-source"


def test_an_unknown_format_is_refused(client: FlaskClient) -> None:
    response = client.get("/v1/events?format=xml")
    assert response.status_code == 400
    assert response.json["errors"][0]["parameter"] == "format"


def test_ndjson_reads_the_database_batch_by_batch_as_it_is_sent(
    app: Flask, client: FlaskClient, add_events: Callable[..., None]
) -> None:
    add_events(*({"id": f"event-{n:04d}", "start": "2024-02-02"} for n in range(1, 1201)))
    queries: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        queries.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/v1/events?format=ndjson", buffered=False)
        chunks = response.iter_encoded()
        first = next(chunks)
        read_for_first = len(queries)
        rest = b"".join(chunks)
        response.close()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first.count(b"\n") == 500  # one batch is sent before the next is read
    assert len(queries) > read_for_first  # the later batches were read after it
    assert (first + rest).count(b"\n") == 1200


@pytest.mark.usefixtures("timeline")
def test_ndjson_is_compressed_as_it_streams(client: FlaskClient) -> None:
    response = client.get("/v1/events?format=ndjson", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.is_streamed
    lines = brotli.decompress(response.get_data()).splitlines()
    assert [orjson.loads(line)["id"] for line in lines] == ["long-ring", "arrest", "verdict"]
