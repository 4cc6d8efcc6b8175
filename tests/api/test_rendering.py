"""How answers are rendered: readable JSON, the schemas' dump, compression when asked."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema

from timeline_api.schemas.common import Documented


def first_id(client: FlaskClient, url: str) -> str:
    first: str = client.get(url).json["data"][0]["id"]
    return first


@pytest.fixture
def pages(seeded: FlaskClient) -> list[str]:
    """GETs that between them dump every response schema of the seeded API."""
    event, actor = first_id(seeded, "/v1/events"), first_id(seeded, "/v1/actors")
    return [
        "/v1/events?limit=500",
        "/v1/events?q=espion*&sort=relevance",  # snippets
        "/v1/events?disputed=true",  # alternative dates
        f"/v1/events/{event}",
        "/v1/events/tw-four-soldiers-espionage-2022-2024",  # citations, links
        "/v1/actors",
        f"/v1/actors/{actor}",
        f"/v1/actors/{actor}/events",
        "/v1/sources",
        f"/v1/sources/{first_id(seeded, '/v1/sources')}",
        "/v1/tags",
        "/v1/event-types",
        "/v1/countries",
        "/v1/series",
        f"/v1/series/{first_id(seeded, '/v1/series')}",
        "/v1/stats/events?by=year",
        "/v1/changes?limit=500",  # snapshots: free-form dicts
        "/v1/events?from=2024-13",  # a problem
    ]


def test_json_is_indented_keeps_the_schema_order_and_writes_non_ascii_as_is(
    seeded: FlaskClient,
) -> None:
    response = seeded.get("/v1/events")
    text = response.get_data(as_text=True)
    assert text.startswith('{\n  "data": [\n    {\n      "id": "')
    assert text.endswith("}\n")
    assert list(response.json["data"][0])[:3] == ["id", "title", "summary"]
    # Source titles keep their typographic apostrophes: UTF-8, not \u2019.
    assert "’" in seeded.get("/v1/sources?limit=500").get_data(as_text=True)


def test_every_answer_is_what_marshmallow_itself_would_dump(
    seeded: FlaskClient, pages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = {url: seeded.get(url).data for url in pages}
    monkeypatch.setattr(Documented, "dump", Schema.dump)
    assert {url: seeded.get(url).data for url in pages} == compiled
