"""Events as CSV for spreadsheets, in the data file's one CSV dialect (datafile/csv_dialect.py),
so that a downloaded page imports again as it is.

Two additions for people checking sources (neither changes what an import reads):
`include=citations` adds a `citations_text` column, each citation on a line of its own with the
quote, the source's publisher, title, date and address; `rows=citations` gives instead one row
per citation (and per alternative date) of the page's events, a report for fact-checkers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline_api.datafile import SCHEMAS
from timeline_api.datafile.csv_dialect import COLUMNS, READABLE, citation_line, escape, row_of
from timeline_api.models import Source
from timeline_api.queries import stored
from timeline_api.queries.export import drop_hidden_links
from timeline_api.schemas.refs import located

__all__ = ["CITATION_COLUMNS", "COLUMNS", "render", "render_citations", "table"]

CITATION_COLUMNS = (
    "event",
    "event_title",
    "start",
    "end",
    "kind",  # citation, or alternative_date (a date the source claims, which we did not keep)
    "quote",
    "note",
    "source",
    "publisher",
    "source_title",
    "title_is_descriptive",
    "published",
    "url",
    "document_url",  # the stored document, opened at the quote
)


def render(session: Session, events: Sequence[Any], with_citations: bool = False) -> str:
    """The events (records of queries.listing) as CSV: a header row, then a row per event;
    `with_citations` adds the readable `citations_text` column."""
    items = [SCHEMAS["events"].dump(item) for item in _items(session, events)]
    sources = _sources(session, items) if with_citations else {}
    buffer = io.StringIO()
    rows = csv.writer(buffer, lineterminator="\r\n")
    rows.writerow(COLUMNS + READABLE if with_citations else COLUMNS)
    for item in items:
        row = row_of(item)
        if with_citations:
            lines = [_line(citation, sources) for citation in item["citations"]]
            row.append(escape("\n".join(lines)))
        rows.writerow(row)
    return buffer.getvalue()


def render_citations(session: Session, events: Sequence[Any]) -> str:
    """One row per citation and alternative date of the events, with its source spelled out."""
    items = [SCHEMAS["events"].dump(item) for item in _items(session, events)]
    sources = _sources(session, items)
    buffer = io.StringIO()
    rows = csv.writer(buffer, lineterminator="\r\n")
    rows.writerow(CITATION_COLUMNS)
    for item in items:
        for kind in ("citations", "alternative_dates"):
            for quoted in item.get(kind, ()):
                cells = _citation_cells(item, kind.removesuffix("s"), quoted, sources)
                rows.writerow([escape(cells[name]) for name in CITATION_COLUMNS])
    return buffer.getvalue()


def _items(session: Session, events: Sequence[Any]) -> list[dict[str, Any]]:
    items = stored.items(session, "events", [event["id"] for event in events])
    drop_hidden_links(session, items)
    return items


def _sources(session: Session, items: Iterable[dict[str, Any]]) -> dict[str, Source]:
    """The sources the items cite, by id: one query for the page."""
    cited = {
        quoted["source"]
        for item in items
        for kind in ("citations", "alternative_dates")
        for quoted in item.get(kind, ())
    }
    found = session.scalars(select(Source).where(Source.slug.in_(sorted(cited))))
    return {source.slug: source for source in found}


def _line(citation: dict[str, Any], sources: dict[str, Source]) -> str:
    source = sources[citation["source"]]
    at = located(source, citation.get("quote"))
    described = {
        "publisher": source.publisher,
        "title": source.title,
        "title_is_descriptive": source.title_is_descriptive,
        "published": source.published,
        "address": source.url or (at["url"] if at else None),
    }
    return citation_line(citation.get("quote"), citation.get("note"), described)


def _citation_cells(
    item: dict[str, Any], kind: str, quoted: dict[str, Any], sources: dict[str, Source]
) -> dict[str, str]:
    source = sources[quoted["source"]]
    at = located(source, quoted.get("quote"))
    return {
        "event": item["id"],
        "event_title": item["title"],
        "start": quoted.get("start") or item["start"],
        "end": (quoted.get("end") if kind == "alternative_date" else item.get("end")) or "",
        "kind": kind,
        "quote": quoted.get("quote") or "",
        "note": quoted.get("note") or "",
        "source": source.slug,
        "publisher": source.publisher,
        "source_title": source.title,
        "title_is_descriptive": "true" if source.title_is_descriptive else "false",
        "published": source.published or "",
        "url": source.url or "",
        "document_url": at["url"] if at else "",
    }


def table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """Plain rows (stats, series) as CSV with a header: dates as ISO, missing cells empty."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
