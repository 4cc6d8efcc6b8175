"""Events as TimelineJS 3 JSON: what its `new TL.Timeline(id, data)` reads, unconverted.

The shape follows TimelineJS's JSON format: `{"events": [slide, ...]}`, each slide with a
`start_date` (and `end_date`) of numeric `year`, `month`, `day`, a `text` with `headline` and
`text`, a `group`, a `display_date`, a `unique_id` and, when the first citation's source has an
address, a `media` with `url`, `caption` and `credit`.
"""

from __future__ import annotations

from html import escape
from typing import Any

from timeline_api.dates import parse_partial_date
from timeline_api.queries.listing import Record

# JSON in TimelineJS 3's shape, not the list's: its own media type, so that the document can
# say which shape each answer has (both parse as JSON).
MEDIA_TYPE = "application/vnd.timelinejs+json"


def render(records: list[Record]) -> dict[str, Any]:
    """The page's events (with their citations) as a TimelineJS document."""
    return {"events": [_slide(record) for record in records]}


def _slide(record: Record) -> dict[str, Any]:
    slide: dict[str, Any] = {
        "unique_id": record["slug"],
        "start_date": _date(record["start"]),
        "text": {"headline": escape(record["title"]), "text": escape(record["summary"] or "")},
        # Rows of the timeline by kind of event, as the frontends wanted.
        "group": record["type"]["name"],
        "display_date": display_date(record),
    }
    if record["end"]:
        slide["end_date"] = _date(record["end"])
    media = _media(record.get("citations") or [])
    if media is not None:
        slide["media"] = media
    return slide


def _date(text: str) -> dict[str, int]:
    """A partial date as TimelineJS's own fields: a year-only date stays a year."""
    partial = parse_partial_date(text)
    found = {"year": partial.year}
    if partial.month is not None:
        found["month"] = partial.month
    if partial.day is not None:
        found["day"] = partial.day
    return found


def display_date(record: Record) -> str:
    """The dates as the sources give them ("2022 – 2024"), "c." marking an estimate."""
    shown = record["start"] + (f" – {record['end']}" if record["end"] else "")
    return f"c. {shown}" if record["is_approximate"] else shown


def _media(citations: list[Record]) -> dict[str, str] | None:
    """The first citation's source, when it has an address TimelineJS can show."""
    if not citations or not citations[0]["source"]["url"]:
        return None
    first = citations[0]
    source = first["source"]
    credit = source["publisher"] + (f", {source['author']}" if source["author"] else "")
    media = {"url": source["url"], "credit": escape(credit), "link": source["url"]}
    if first["quote"]:
        media["caption"] = escape(first["quote"])
    return media
