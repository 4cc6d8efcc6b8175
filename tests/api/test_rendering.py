"""How answers are rendered: readable JSON, the schemas' dump, compression when asked."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import gzip
from collections.abc import Callable

import brotli
import pytest
from flask.testing import FlaskClient
from marshmallow import Schema

from tests.editing import EVENT, Writer, tokens, writer
from timeline_api.schemas.common import Documented

try:  # Python 3.14 has it; flask-compress installs the backport before
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from backports import zstd  # type: ignore[no-redef,unused-ignore]


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


# --- Compression -----------------------------------------------------------------------------

DECOMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": zstd.decompress,
}
# A JSON list, a JSON record, a CSV: all over 1 KiB.
LARGE = ["/v1/events", f"/v1/events/{EVENT}", "/v1/events?format=csv"]


@pytest.mark.parametrize("coding", DECOMPRESS)
def test_a_client_that_accepts_a_coding_gets_the_same_answer_compressed(
    seeded: FlaskClient, coding: str
) -> None:
    for url in LARGE:
        plain = seeded.get(url)
        packed = seeded.get(url, headers={"Accept-Encoding": coding})
        assert packed.headers["Content-Encoding"] == coding, url
        assert DECOMPRESS[coding](packed.data) == plain.data, url
        assert len(packed.data) < len(plain.data) / 2, url
        assert int(packed.headers["Content-Length"]) == len(packed.data), url
        assert "accept-encoding" in names(packed.headers["Vary"]), url
        assert packed.mimetype == plain.mimetype, url


def test_a_client_that_asks_for_nothing_gets_it_plain(seeded: FlaskClient) -> None:
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "compress"}):
        for url in LARGE:
            response = seeded.get(url, headers=headers)
            assert "Content-Encoding" not in response.headers, (url, headers)
            # Caches must not give a compressed copy to a client that did not ask.
            assert "accept-encoding" in names(response.headers["Vary"]), (url, headers)


def test_the_client_preference_decides_and_ties_go_to_the_cheapest(seeded: FlaskClient) -> None:
    for accept, expected in {
        "gzip, deflate, br, zstd": "zstd",
        "gzip, deflate, br": "br",
        "gzip, deflate": "gzip",
        "deflate": None,
        "br;q=0.5, gzip": "gzip",
        "*": "zstd",
    }.items():
        response = seeded.get("/v1/events", headers={"Accept-Encoding": accept})
        assert response.headers.get("Content-Encoding") == expected, accept


def test_a_small_answer_is_not_compressed(seeded: FlaskClient) -> None:
    response = seeded.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_each_coding_has_its_own_etag_and_answers_304_to_it(seeded: FlaskClient) -> None:
    for url in LARGE:
        plain = seeded.get(url).headers["ETag"]
        packed = seeded.get(url, headers={"Accept-Encoding": "gzip"}).headers["ETag"]
        assert packed == plain.removesuffix('"') + ':gzip"', url  # strong, per representation
        cached = seeded.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed})
        assert (cached.status_code, cached.data) == (304, b""), url
        assert cached.headers["ETag"] == packed, url
        assert "accept-encoding" in names(cached.headers["Vary"]), url
        # The same tag from a client that now wants it plain names another representation.
        assert seeded.get(url, headers={"If-None-Match": packed}).status_code == 200, url


def test_the_etag_of_a_compressed_get_is_good_for_if_match(
    seeded: FlaskClient, writer: Writer
) -> None:
    path = f"/v1/events/{EVENT}"
    etag = seeded.get(path, headers={"Accept-Encoding": "br"}).headers["ETag"]
    response = writer.patch(path, {"title": "Changed"}, etag=etag)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert writer.patch(path, {"title": "Again"}, etag=etag).status_code == 412


def names(header: str) -> set[str]:
    """The lower-cased names of a comma-separated header."""
    return {name.strip().lower() for name in header.split(",") if name.strip()}
