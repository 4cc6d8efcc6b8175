"""The seed dataset as the API serves it, and the loader that refuses a broken data file."""

from __future__ import annotations

import calendar
import copy
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ids, read_seed
from timeline_api.datafile import DatasetError
from timeline_api.datafile.documents import DOCUMENTS, normalise
from timeline_api.services import imports

Json = dict[str, Any]
PRECISIONS = {4: "year", 7: "month", 10: "day"}
TAIWAN_ID = re.compile(r"[A-Z][12]\d{8}")
PRC_ID = re.compile(r"\d{17}[\dX]")


def listed(client: FlaskClient, path: str) -> list[Json]:
    """Every item of a list, checking that one page held them all."""
    response = client.get(path, query_string={"limit": 500})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["links"]["next"] is None
    items: list[Json] = response.json["data"]
    return items


def detail(client: FlaskClient, path: str) -> Json:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.get_data(as_text=True)}"
    body = response.json
    assert isinstance(body, dict)
    return body


def api_output(client: FlaskClient, *, in_full: bool = True) -> dict[str, Any]:
    """Everything the API serves about the dataset: each list, and each record in full.

    Events and series always come in full (citations, points); `in_full=False` takes actors,
    sources, tags and types from their lists, which hold every member but the event counts.
    """

    def records(path: str) -> list[Json]:
        items = listed(client, path)
        return [detail(client, f"{path}/{item['id']}") for item in items] if in_full else items

    return {
        "events": [detail(client, f"/v1/events/{e['id']}") for e in listed(client, "/v1/events")],
        "actors": records("/v1/actors"),
        "sources": records("/v1/sources"),
        "tags": records("/v1/tags"),
        "event_types": records("/v1/event-types"),
        "countries": detail(client, "/v1/countries")["data"],
        "series": [
            detail(client, f"/v1/series/{s['id']}") for s in detail(client, "/v1/series")["data"]
        ],
    }


@pytest.fixture
def output(seeded: FlaskClient) -> dict[str, Any]:
    return api_output(seeded, in_full=False)


def quoted_passages(output: dict[str, Any]) -> Iterator[tuple[str, Json]]:
    """(where, item) for every citation, alternative date and series point."""
    for event in output["events"]:
        for kind in ("citations", "alternative_dates"):
            for n, item in enumerate(event[kind]):
                yield f"event {event['id']} {kind}[{n}]", item
    for series in output["series"]:
        for n, point in enumerate(series["points"]):
            yield f"series {series['id']} points[{n}]", point


def strings(value: Any) -> Iterator[str]:
    """Every key and value of a JSON document as text (numbers too: an ID can be all digits)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def widest(date: str) -> tuple[str, str]:
    """The first and last day a partial date can mean."""
    if len(date) == 4:
        return f"{date}-01-01", f"{date}-12-31"
    if len(date) == 7:
        year, month = map(int, date.split("-"))
        return f"{date}-01", f"{date}-{calendar.monthrange(year, month)[1]:02d}"
    return date, date


def find_one(client: FlaskClient, query: dict[str, str]) -> Json:
    """The single event a content search finds, in full."""
    response = client.get("/v1/events", query_string={**query, "limit": 500})
    found = ids(response)
    assert len(found) == 1, f"{query} found {found}"
    return detail(client, f"/v1/events/{found[0]}")


# --- Sources and quotes ------------------------------------------------------------------------


def test_every_event_cites_at_least_one_source(output: dict[str, Any]) -> None:
    uncited = [event["id"] for event in output["events"] if not event["citations"]]
    assert uncited == []
    assert len(output["events"]) >= 13


def test_quotes_of_stored_documents_are_word_for_word(output: dict[str, Any]) -> None:
    documents = {
        source["id"]: normalise((DOCUMENTS / source["document"]).read_text(encoding="utf-8"))
        for source in output["sources"]
        if source["document"]
    }
    assert documents, "the seed has stored documents"
    checked, wrong = 0, []
    for where, item in quoted_passages(output):
        text = documents.get(item["source"]["id"])
        if text is None:
            assert item["quote"] or item["note"], f"{where} says nothing about its source"
            continue
        if not item["quote"]:
            wrong.append(f"{where}: no quote of a stored document")
        elif normalise(item["quote"]) not in text:
            wrong.append(f"{where}: not in the document: {item['quote']!r}")
        checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked >= 30


# --- Dates ---------------------------------------------------------------------------------------


def test_every_date_says_its_precision_and_widest_span(output: dict[str, Any]) -> None:
    for event in output["events"]:
        assert event["start_precision"] == PRECISIONS[len(event["start"])], event["id"]
        first, last = widest(event["start"])
        assert event["earliest"] == first, event["id"]
        if event["end"] is None:
            assert event["end_precision"] is None
            assert event["latest"] == last, event["id"]
        else:
            assert event["end_precision"] == PRECISIONS[len(event["end"])], event["id"]
            assert event["latest"] == widest(event["end"])[1], event["id"]
            assert event["earliest"] <= event["latest"], event["id"]
        for other in event["alternative_dates"]:
            assert other["start_precision"] == PRECISIONS[len(other["start"])], event["id"]
            if other["end"] is not None:
                assert other["end_precision"] == PRECISIONS[len(other["end"])], event["id"]
    for series in output["series"]:
        for point in series["points"]:
            assert point["precision"] == PRECISIONS[len(point["period"])], series["id"]
            assert (point["earliest"], point["latest"]) == widest(point["period"])


def test_soldiers_espionage_is_dated_by_year_and_disputed(seeded: FlaskClient) -> None:
    event = find_one(seeded, {"type": "espionage-case", "q": "soldiers"})
    assert (event["start"], event["end"]) == ("2022", "2024")
    assert event["start_precision"] == event["end_precision"] == "year"
    assert (event["earliest"], event["latest"]) == ("2022-01-01", "2024-12-31")
    assert event["disputed"] is True
    [claim] = event["alternative_dates"]
    assert (claim["start"], claim["end"]) == ("2002", "2024")
    assert claim["start_precision"] == claim["end_precision"] == "year"
    assert claim["source"]["publisher"] == "intelNews"
    assert "2002 to 2024" in claim["quote"]
    assert event["id"] in ids(seeded.get("/v1/events?disputed=true&limit=500"))
    assert event["id"] not in ids(seeded.get("/v1/events?disputed=false&limit=500"))


def test_events_are_disputed_exactly_when_another_date_is_claimed(
    output: dict[str, Any],
) -> None:
    for event in output["events"]:
        assert event["disputed"] is bool(event["alternative_dates"]), event["id"]


def test_every_event_says_how_its_date_is_known(output: dict[str, Any]) -> None:
    unexplained = [e["id"] for e in output["events"] if not (e["date_note"] or "").strip()]
    assert unexplained == []


def test_approximate_dates_carry_a_note(output: dict[str, Any]) -> None:
    approximate = [event for event in output["events"] if event["is_approximate"]]
    assert approximate, "the seed has dates resolved from relative wording"
    assert all((event["date_note"] or "").strip() for event in approximate)


# --- Series ----------------------------------------------------------------------------------


def test_nsb_prosecutions_series_cites_a_source_for_each_year(output: dict[str, Any]) -> None:
    [series] = [s for s in output["series"] if "prosecuted" in s["title"].lower()]
    points = {point["period"]: point for point in series["points"]}
    assert {year: points[year]["value"] for year in ("2022", "2023", "2024")} == {
        "2022": 10,
        "2023": 48,
        "2024": 64,
    }
    for year in ("2022", "2023", "2024"):
        point = points[year]
        assert point["precision"] == "year"
        assert point["source"]["id"], year
        assert re.search(rf"\b{point['value']}\b.*\b{year}\b", point["quote"]), year


# --- The events the timeline must hold --------------------------------------------------------

REQUIRED_EVENTS = [
    ("soldiers' espionage", {"type": "espionage-case", "q": "soldiers"}, "2022", "2024"),
    ("soldiers' sentencing", {"type": "court-ruling", "q": "soldiers"}, "2025-03-26", None),
    (
        "NSB prosecution figures",
        {"type": "statistics-release", "q": "prosecutions"},
        "2025-01-12",
        None,
    ),
    ("1994 book", {"type": "publication", "from": "1994", "to": "1994"}, "1994", None),
    ("bounty announcement", {"type": "bounty", "actor": "icefcom"}, "2025-06-05", None),
    (
        "alleged attack on a Chinese tech company",
        {"type": "cyberattack", "q": '"tech company"'},
        "2025-05",
        None,
    ),
    ("Chinese report on ICEFCOM", {"type": "report", "actor": "icefcom"}, "2025-06-05", None),
    ("Taiwan's denial", {"type": "denial", "actor": "icefcom"}, "2025-06-05", None),
    ("MAC warning", {"type": "warning", "q": '"Mainland Affairs Council"'}, "2025-06", None),
    (
        "Czech foreign ministry attack",
        {"type": "accusation", "q": "Czech foreign ministry"},
        "2025-05-28",
        None,
    ),
    (
        "similar case the year before",
        {"type": "accusation", "actor": "icefcom", "from": "2024", "to": "2024"},
        "2024-09-23",
        None,
    ),
    (
        "daily cyber-attack figure",
        {"type": "statistics-release", "q": "cyberattacks"},
        "2025-01-05",
        None,
    ),
    ("ENTENTE-4 report", {"type": "report", "q": "ENTENTE-4"}, "2023", "2024"),
]


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [pytest.param(query, start, end, id=label) for label, query, start, end in REQUIRED_EVENTS],
)
def test_required_event_is_found_by_its_content_and_dated_as_its_sources_allow(
    seeded: FlaskClient, query: dict[str, str], start: str, end: str | None
) -> None:
    event = find_one(seeded, query)
    assert (event["start"], event["end"]) == (start, end)
    assert event["start_precision"] == PRECISIONS[len(start)]
    assert event["citations"]


# --- References and personal data --------------------------------------------------------------


def test_every_reference_resolves(seeded: FlaskClient, output: dict[str, Any]) -> None:
    countries = {country["code"] for country in output["countries"]}
    actors = {actor["id"]: actor for actor in output["actors"]}
    events = {event["id"]: event for event in output["events"]}
    sources = {source["id"] for source in output["sources"]}
    for event in output["events"]:
        event_type = detail(seeded, f"/v1/event-types/{event['type']['id']}")
        assert event_type["name"] == event["type"]["name"]
        for tag in event["tags"]:
            assert detail(seeded, f"/v1/tags/{tag['id']}")["name"] == tag["name"]
        for role in event["actors"]:
            assert actors[role["id"]]["name"] == role["name"], event["id"]
        assert {country["code"] for country in event["countries"]} <= countries
        for item in [*event["citations"], *event["alternative_dates"]]:
            assert item["source"]["id"] in sources, event["id"]
        for link in event["links"]:
            other = events[link["event"]["id"]]
            back = "incoming" if link["direction"] == "outgoing" else "outgoing"
            assert {"kind": link["kind"], "direction": back, "id": event["id"]} in [
                {
                    "kind": back_link["kind"],
                    "direction": back_link["direction"],
                    "id": back_link["event"]["id"],
                }
                for back_link in other["links"]
            ], f"{event['id']} → {other['id']} is not linked back"
    for actor in output["actors"]:
        assert actor["country"] is None or actor["country"] in countries, actor["id"]
    for series in output["series"]:
        assert {point["source"]["id"] for point in series["points"]} <= sources


def test_no_identity_number_appears_anywhere(output: dict[str, Any]) -> None:
    found = [text for text in strings(output) if TAIWAN_ID.search(text) or PRC_ID.search(text)]
    assert found == []


def test_every_linked_event_is_served(output: dict[str, Any]) -> None:
    served = {event["id"] for event in output["events"]}
    linked = {link["event"]["id"] for event in output["events"] for link in event["links"]}
    assert linked
    assert linked <= served


# --- Loading -----------------------------------------------------------------------------------


def seed_file() -> dict[str, Any]:
    raw: dict[str, Any] = read_seed()
    return raw


def load(app: Flask, raw: Any) -> imports.Summary:
    """Load `raw` into the app's database as the CLI does: one transaction, committed."""
    session = app.extensions["db_sessions"]()
    try:
        summary = imports.load(session, raw)
        session.commit()
        return summary
    finally:
        session.close()


def test_loading_the_seed_again_changes_nothing(seeded_app: Flask, seeded: FlaskClient) -> None:
    before = api_output(seeded)
    summary = load(seeded_app, seed_file())
    assert +summary.created == Counter()
    assert +summary.updated == Counter()
    assert +summary.unchanged == Counter({n: len(items) for n, items in seed_file().items()})
    assert api_output(seeded) == before


def event_index(raw: dict[str, Any], id: str) -> int:
    return next(n for n, event in enumerate(raw["events"]) if event["id"] == id)


def unknown_reference(raw: dict[str, Any]) -> str:
    raw["events"][0]["actors"][0]["actor"] = "nobody-at-all"
    return "/events/0/actors/0/actor"


def misquoted(raw: dict[str, Any]) -> str:
    n = next(n for n, e in enumerate(raw["events"]) if e["citations"][0].get("quote"))
    quote = raw["events"][n]["citations"][0]["quote"]
    raw["events"][n]["citations"][0]["quote"] = quote.rstrip(".") + " and then some."
    return f"/events/{n}/citations/0/quote"


def end_before_start(raw: dict[str, Any]) -> str:
    n = next(n for n, e in enumerate(raw["events"]) if len(e["start"]) == 10)
    raw["events"][n]["end"] = f"{int(raw['events'][n]['start'][:4]) - 1}"
    return f"/events/{n}/end"


def duplicate_id(raw: dict[str, Any]) -> str:
    raw["events"].append(copy.deepcopy(raw["events"][2]))
    return f"/events/{len(raw['events']) - 1}/id"


def missing_citation(raw: dict[str, Any]) -> str:
    raw["events"][4]["citations"] = []
    return "/events/4/citations"


BREAKAGES: list[Callable[[dict[str, Any]], str]] = [
    unknown_reference,
    misquoted,
    end_before_start,
    duplicate_id,
    missing_citation,
]


def refused(app: Flask, raw: Any) -> list[str]:
    """The pointers of the problems a refused load lists."""
    with pytest.raises(DatasetError) as refusal:
        load(app, raw)
    return [problem.pointer for problem in refusal.value.problems]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.__name__)
def test_broken_file_is_refused_naming_the_problem(
    app: Flask, client: FlaskClient, breakage: Callable[[dict[str, Any]], str]
) -> None:
    raw = seed_file()
    pointer = breakage(raw)
    assert refused(app, raw) == [pointer]
    assert listed(client, "/v1/events") == []
    assert listed(client, "/v1/actors") == []
    assert listed(client, "/v1/sources") == []
    assert detail(client, "/v1/countries")["data"] == []


def test_file_with_many_problems_lists_every_one(app: Flask, client: FlaskClient) -> None:
    raw = seed_file()
    pointers = [breakage(raw) for breakage in BREAKAGES]
    listed_problems = refused(app, raw)
    assert sorted(listed_problems) == sorted(pointers), f"only {listed_problems} were listed"
    assert listed(client, "/v1/events") == []


def test_broken_file_changes_nothing_already_stored(seeded_app: Flask, seeded: FlaskClient) -> None:
    before = api_output(seeded)
    raw = seed_file()
    for event in raw["events"]:
        event["title"] = "Renamed " + event["title"]
    raw["countries"].append({"code": "FR", "name": "France"})
    pointer = unknown_reference(raw)
    assert refused(seeded_app, raw) == [pointer]
    assert api_output(seeded) == before


# --- Provenance a reader can check ------------------------------------------------------------

RESEARCH_LABEL = re.compile(r"\bS[12][a-c]?\b")  # our research notes' names for the documents


def test_no_research_label_appears_in_any_served_text(seeded: FlaskClient) -> None:
    served = api_output(seeded)  # in full: descriptions and notes of every record
    assert [text for text in strings(served) if RESEARCH_LABEL.search(text)] == []


def test_no_research_label_appears_in_the_seed_file() -> None:
    assert [text for text in strings(read_seed()) if RESEARCH_LABEL.search(text)] == []


@pytest.mark.parametrize(
    ("source", "title", "published", "ours"),
    [
        (
            "aljazeera-mss-mi6-couple-2024-06-03",
            "China charges couple with spying for UK's MI6",
            "2024-06-03",
            False,
        ),
        (
            "ajc-ap-czech-cyberattack-2025",
            "Czech Republic blames China for cyberattacks against its Foreign Ministry "
            "communication network",
            "2025-05-28",
            False,
        ),
        ("taiwanplus-icefcom-bounties-2025", None, "2025-06", True),
        ("intelnews-headline-excerpts", None, None, True),
        ("mdr-bundestag-espionage-debate-2024", None, None, True),
    ],
)
def test_a_source_gives_its_publishers_headline_or_says_the_title_is_ours(
    seeded: FlaskClient, source: str, title: str | None, published: str | None, ours: bool
) -> None:
    served = detail(seeded, f"/v1/sources/{source}")
    assert served["title_is_descriptive"] is ours
    assert served["published"] == published
    if title is not None:
        assert served["title"] == title


@pytest.mark.parametrize(
    ("event", "unsupported"),
    [
        ("cn-guangzhou-tech-company-cyberattack-alleged-2025", "20 May attack"),
        ("tw-icefcom-denies-bounty-allegations-2025", "European statements"),
        ("us-dod-covid-vaccine-psyop-2020-2021", "fake accounts"),
        ("us-dod-covid-vaccine-psyop-2020-2021", "elsewhere"),
        ("cn-mss-foreign-weather-stations-2023", "sent data abroad"),
        ("de-dresden-afd-assistant-arrest-2024", "cash.ch"),
    ],
)
def test_a_corrected_note_no_longer_claims_more_than_its_source(
    seeded: FlaskClient, event: str, unsupported: str
) -> None:
    assert unsupported not in " ".join(strings(detail(seeded, f"/v1/events/{event}")))


@pytest.mark.parametrize(
    ("actor", "unsupported"),
    [("nick-eftimiades", "former intelligence officer"), ("tw-nsb", "main intelligence agency")],
)
def test_an_actor_is_described_only_as_its_sources_describe_it(
    seeded: FlaskClient, actor: str, unsupported: str
) -> None:
    assert unsupported not in detail(seeded, f"/v1/actors/{actor}")["description"]


def test_every_quote_is_found_at_its_offsets_in_the_served_document(
    seeded: FlaskClient, output: dict[str, Any]
) -> None:
    documents: dict[str, str] = {}
    located = 0
    for where, item in quoted_passages(output):
        location = item["location"]
        if item["source"]["id"] not in documents:
            response = seeded.get(f"/v1/sources/{item['source']['id']}/document")
            documents[item["source"]["id"]] = response.get_data(as_text=True)
            if response.status_code == 404:
                documents[item["source"]["id"]] = ""
        if not documents[item["source"]["id"]]:
            assert location is None, where
            continue
        body = documents[item["source"]["id"]]
        passage = body[location["start"] : location["end"]]
        assert normalise(passage) == normalise(item["quote"]), where
        located += 1
    assert located >= 40
