"""A sourced spreadsheet: the events CSV can spell out each citation (quote, source, address),
a citations CSV gives one row per citation, and the events CSV still imports as it is."""

# Fixtures come from tests.editing by name: imported, then shadowed by test parameters.
# ruff: noqa: F401, F811

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient

from tests.editing import Tokens, Writer, admin, tokens

EVENT = "tw-four-soldiers-sentenced-2025"
QUOTE = "the court sentenced the soldiers to between 70 and 84 months in prison"


def table(client: FlaskClient, **query: str) -> list[dict[str, str]]:
    response = client.get("/v1/events", query_string={"format": "csv", "limit": "500", **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_citations_text_spells_out_quote_source_and_address(seeded: FlaskClient) -> None:
    [row] = [row for row in table(seeded, include="citations") if row["id"] == EVENT]
    lines = row["citations_text"].split("\n")
    assert len(lines) == len(seeded.get(f"/v1/events/{EVENT}").json["citations"])
    quoted = next(line for line in lines if QUOTE in line)
    assert quoted.startswith("“At the conclusion")
    assert "— intelNews: Taiwan jails soldiers guarding president’s office" in quoted
    assert "/v1/sources/intelnews-taiwan-soldiers-jailed-2025/document#:~:text=" in quoted
    afp = next(line for line in lines if "SinoDaily" in line)
    assert afp.endswith("https://www.sinodaily.com/afp/250327041900.ahqsgrcv.html")


def test_the_plain_events_csv_is_unchanged_without_include(seeded: FlaskClient) -> None:
    assert "citations_text" not in table(seeded)[0]


def test_a_citations_csv_has_a_row_per_citation_and_claimed_date(seeded: FlaskClient) -> None:
    rows = table(seeded, rows="citations", q="soldiers")
    event = seeded.get("/v1/events/tw-four-soldiers-espionage-2022-2024").json
    mine = [row for row in rows if row["event"] == event["id"]]
    assert len(mine) == len(event["citations"]) + len(event["alternative_dates"])
    claim = next(row for row in mine if row["kind"] == "alternative_date")
    assert (claim["start"], claim["end"]) == ("2002", "2024")
    assert "2002 to 2024" in claim["quote"]
    assert claim["document_url"].startswith("http://localhost/v1/sources/intelnews-")
    dw = next(row for row in mine if row["source"] == "dw-soldiers-charged-2024-12-06")
    assert dw["url"].startswith("https://www.dw.com/")
    assert (dw["document_url"], dw["title_is_descriptive"]) == ("", "false")


def test_a_csv_with_citations_text_imports_again_changing_nothing(admin: Writer) -> None:
    text = admin.client.get(
        "/v1/events", query_string={"format": "csv", "include": "citations", "limit": 500}
    ).get_data(as_text=True)
    response = admin.client.post(
        "/v1/import", data=text.encode(), content_type="text/csv", headers=admin.auth
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.json["created"], response.json["updated"]) == ({}, {})
    assert response.json["unchanged"]["events"] == 28


def test_an_unknown_include_or_rows_is_a_400_naming_it(seeded: FlaskClient) -> None:
    for parameter in ("include", "rows"):
        response = seeded.get("/v1/events", query_string={"format": "csv", parameter: "x"})
        assert response.status_code == 400
        assert response.json["errors"][0]["parameter"] == parameter
