"""Events as a flat CSV for spreadsheets: one row per event, lists joined by semicolons."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Request

from timeline_api.models import Event

COLUMNS = (
    "id",
    "title",
    "summary",
    "type",
    "importance",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "earliest",
    "latest",
    "is_approximate",
    "disputed",
    "date_note",
    "countries",
    "tags",
    "actors",
    "sources",
)
# A cell starting with one of these is a formula to a spreadsheet; quote it as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def wants_csv(request: Request, format_: str | None) -> bool:
    """`?format=csv`, or an Accept header preferring text/csv to JSON."""
    if format_ is not None:
        return format_ == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _row(event: Event) -> list[str]:
    values = (
        event.slug,
        event.title,
        event.summary,
        event.type.slug,
        event.importance,
        event.start,
        event.start_precision,
        event.end,
        event.end_precision,
        event.earliest,
        event.latest,
        event.is_approximate,
        event.is_disputed,
        event.date_note,
        ";".join(country.code for country in event.countries),
        ";".join(tag.slug for tag in event.tags),
        ";".join(f"{link.actor.slug}:{link.role}" for link in event.actors),
        ";".join(dict.fromkeys(citation.source.slug for citation in event.citations)),
    )
    return [_cell(value) for value in values]


def render(events: Iterable[Event]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(event) for event in events)
    return buffer.getvalue()
