"""Events as CSV for spreadsheets, in the data file's one CSV dialect (datafile/csv_dialect.py),
so that a downloaded page imports again as it is."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from timeline_api.datafile import SCHEMAS
from timeline_api.datafile.csv_dialect import COLUMNS
from timeline_api.datafile.writers import CsvWriter
from timeline_api.queries import stored
from timeline_api.queries.export import drop_hidden_links

__all__ = ["COLUMNS", "render", "table"]


def render(session: Session, events: Sequence[Any]) -> str:
    """The events (records of queries.listing) as CSV: a header row, then a row per event."""
    items = stored.items(session, "events", [event["id"] for event in events])
    drop_hidden_links(session, items)
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    for item in items:
        writer.write("events", SCHEMAS["events"].dump(item))
    return buffer.getvalue()


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
