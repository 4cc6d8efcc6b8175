"""A quote can be checked in context: the stored document is served, and every citation of it
says where its quote lies and links there."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from flask.testing import FlaskClient

from timeline_api.datafile.documents import normalise

EVENT = "tw-four-soldiers-sentenced-2025"
DOCUMENT_SOURCE = "intelnews-taiwan-soldiers-jailed-2025"
TRANSCRIPT_EVENT = "cn-guangzhou-tech-company-cyberattack-alleged-2025"  # quote spans timestamps


def document(client: FlaskClient, source: str) -> str:
    response = client.get(f"/v1/sources/{source}/document")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert response.mimetype_params["charset"] == "utf-8"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("event", [EVENT, TRANSCRIPT_EVENT])
def test_a_citation_points_at_its_quote_in_the_served_document(
    seeded: FlaskClient, event: str
) -> None:
    citation = seeded.get(f"/v1/events/{event}").json["citations"][0]
    body = document(seeded, citation["source"]["id"])
    location = citation["location"]
    assert normalise(body[location["start"] : location["end"]]) == citation["quote"]


def test_a_quote_spanning_transcript_lines_is_located_as_written(seeded: FlaskClient) -> None:
    citation = seeded.get(f"/v1/events/{TRANSCRIPT_EVENT}").json["citations"][0]
    body = document(seeded, citation["source"]["id"])
    passage = body[citation["location"]["start"] : citation["location"]["end"]]
    assert "\n00:36or ISEFCOM" in passage  # the line break and timestamp stay as stored
    assert passage.startswith("China is accusing") and passage.endswith("at the time.")


def test_the_link_opens_the_document_at_the_quote(seeded: FlaskClient) -> None:
    citation = seeded.get(f"/v1/events/{EVENT}").json["citations"][0]
    link = urlsplit(citation["location"]["url"])
    assert link.path == f"/v1/sources/{DOCUMENT_SOURCE}/document"
    assert seeded.get(link.path).status_code == 200
    directive = link.fragment.removeprefix(":~:text=")
    start, end = (unquote(part) for part in directive.split(","))
    assert citation["quote"].startswith(start)
    assert citation["quote"].endswith(end)


def test_the_document_says_where_it_comes_from(seeded: FlaskClient) -> None:
    body = document(seeded, DOCUMENT_SOURCE)
    head = body.splitlines()[:4]
    assert head[0].startswith("Source: intelNews, “Taiwan jails soldiers")
    assert "kept as received" in head[1]
    assert "publisher's" in head[2]
    assert "FOUR TAIWANESE SOLDIERS WITH access" in body


def test_a_title_of_ours_is_marked_in_the_document_note(seeded: FlaskClient) -> None:
    body = document(seeded, "taiwanplus-icefcom-bounties-2025")
    assert "a title of ours" in body.splitlines()[0]


def test_a_citation_of_a_page_without_stored_text_has_no_location(seeded: FlaskClient) -> None:
    citations = seeded.get(f"/v1/events/{EVENT}").json["citations"]
    outside = [c for c in citations if c["source"]["id"] != DOCUMENT_SOURCE]
    assert outside
    assert all(c["location"] is None for c in outside)


def test_alternative_dates_and_series_points_are_located_too(seeded: FlaskClient) -> None:
    claim = seeded.get("/v1/events/tw-four-soldiers-espionage-2022-2024").json["alternative_dates"][
        0
    ]
    body = document(seeded, claim["source"]["id"])
    assert "2002 to 2024" in body[claim["location"]["start"] : claim["location"]["end"]]
    point = seeded.get("/v1/series/tw-nsb-chinese-espionage-prosecutions").json["points"][1]
    assert point["location"]["end"] > point["location"]["start"]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("dw-soldiers-charged-2024-12-06", "has no stored document"),
        ("no-such-source", "No source has the id 'no-such-source'."),
    ],
)
def test_a_source_without_stored_text_is_a_404_saying_why(
    seeded: FlaskClient, source: str, detail: str
) -> None:
    response = seeded.get(f"/v1/sources/{source}/document")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert detail in response.json["detail"]
