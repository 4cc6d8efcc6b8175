"""The one CSV dialect: what `/v1/events?format=csv` serves, `export` writes and `import` reads.

One event per row. Lists of ids are `;`-separated (actors as `actor:role`, links as
`event:kind`); citations and alternative dates, which hold free text, are JSON arrays of the
data-file items. Some columns are derived from the others, for spreadsheets: on import they may
be left out or empty, and are refused by name when they disagree with the row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from timeline_api.dates import InvalidDate, PartialDate, parse_partial_date

Item = dict[str, Any]

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
    "text",
    "links",
    "citations",
    "alternative_dates",
)
DERIVED = ("start_precision", "end_precision", "earliest", "latest", "disputed", "sources")
# Written on request for people reading the file (`include=citations`), ignored on import:
# each citation on a line of its own, "“quote” — publisher: title, date, address".
READABLE = ("citations_text",)
REQUIRED = ("id", "title", "summary", "type", "importance", "start", "citations")
_PLAIN: tuple[str, ...] = ("id", "title", "summary", "type", "importance", "start", "end")
_PLAIN += ("is_approximate", "date_note", "text")
_JSON_CELLS = ("citations", "alternative_dates")
_PAIRS = {"actors": ("actor", "role"), "links": ("to", "kind")}
# A cell starting with one of these is a formula to a spreadsheet: it is written after a `'`.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def header_problem(columns: list[str]) -> str | None:
    """Why a header cannot be read, or None."""
    unknown = [column for column in columns if column not in COLUMNS + READABLE]
    missing = [column for column in REQUIRED if column not in columns]
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    reasons = [
        f"unknown columns: {', '.join(unknown)}" if unknown else "",
        f"missing columns: {', '.join(missing)}" if missing else "",
        f"repeated columns: {', '.join(repeated)}" if repeated else "",
    ]
    found = "; ".join(reason for reason in reasons if reason)
    known = ", ".join(COLUMNS + READABLE)
    return f"{found} (columns: {known})" if found else None


# --- Writing ---------------------------------------------------------------------------------


def row_of(event: Item) -> list[str]:
    """An event in file form (as the schema dumps it) as a row of COLUMNS."""
    cells = {**derived_cells(event), **{name: _cell(event.get(name)) for name in _PLAIN}}
    for name, (first, second) in _PAIRS.items():
        cells[name] = ";".join(f"{pair[first]}:{pair[second]}" for pair in event.get(name, []))
    for name in ("countries", "tags"):
        cells[name] = ";".join(event.get(name, []))
    for name in _JSON_CELLS:
        cells[name] = json.dumps(event[name], ensure_ascii=False) if event.get(name) else ""
    return [escape(cells[name]) for name in COLUMNS]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def citation_line(quote: str | None, note: str | None, source: Item) -> str:
    """One citation as a reader follows it up: “quote” (or the note) — who, what, when, where.

    `source` holds publisher, title, title_is_descriptive, published and `address` (the page,
    or the stored document opened at the quote)."""
    said = f"“{quote}”" if quote else (note or "")
    title = source["title"] + (" [title ours]" if source.get("title_is_descriptive") else "")
    where = [f"{source['publisher']}: {title}", source.get("published"), source.get("address")]
    return said + " — " + ", ".join(part for part in where if part)


def escape(text: str) -> str:
    """A cell as written: one a spreadsheet would take for a formula gets a leading `'`."""
    if text.startswith(_FORMULA_STARTS) or (
        text.startswith("'") and text[1:2].startswith((*_FORMULA_STARTS, "'"))
    ):
        return "'" + text
    return text


def derived_cells(event: Item) -> dict[str, str]:
    """The derived columns of an event (loaded or dumped: dates as PartialDate or text)."""
    start = _date(event["start"])
    end = _date(event["end"]) if event.get("end") is not None else None
    return {
        "start_precision": start.precision.value,
        "end_precision": end.precision.value if end else "",
        "earliest": start.first.isoformat(),
        "latest": (end or start).last.isoformat(),
        "disputed": "true" if event.get("alternative_dates") else "false",
        "sources": ";".join(dict.fromkeys(c["source"] for c in event.get("citations", []))),
    }


def _date(value: Any) -> PartialDate:
    return value if isinstance(value, PartialDate) else parse_partial_date(str(value))


# --- Reading ---------------------------------------------------------------------------------


def item_of(row: dict[str, str | None]) -> tuple[Item, dict[str, str], list[tuple[str, str]]]:
    """A row as a raw event item, its derived cells, and (pointer, detail) problems of cells."""
    cells = {name: _unescape(value) for name, value in row.items() if name in COLUMNS and value}
    item: Item = {name: cells[name] for name in _PLAIN if name in cells}
    problems = []
    if "importance" in item and item["importance"].isdigit():
        item["importance"] = int(item["importance"])
    if "is_approximate" in item:
        flag = item["is_approximate"].lower()
        item["is_approximate"] = {"true": True, "false": False}.get(flag, item["is_approximate"])
    for name in ("countries", "tags"):
        item[name] = _split(cells.get(name))
    for name, (first, second) in _PAIRS.items():
        item[name] = [_pair(part, first, second) for part in _split(cells.get(name))]
    for name in _JSON_CELLS:
        if name in cells:
            try:
                item[name] = json.loads(cells[name])
            except ValueError as error:
                problems.append((f"/{name}", f"not a JSON array: {error}"))
            except RecursionError:
                problems.append((f"/{name}", "not a JSON array: nested too deeply"))
    derived = {name: cells[name] for name in DERIVED if name in cells}
    return item, derived, problems


def _unescape(text: str) -> str:
    if text.startswith("'") and text[1:2].startswith((*_FORMULA_STARTS, "'")):
        return text[1:]
    return text


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _pair(part: str, first: str, second: str) -> dict[str, str]:
    left, colon, right = part.rpartition(":")
    return {first: left, second: right} if colon else {first: part}


def derived_problems(event: Item, derived: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(pointer, detail) for each derived cell given that disagrees with the loaded event."""
    if not derived:
        return
    try:
        expected = derived_cells(event)
    except (InvalidDate, KeyError, TypeError):
        return  # the event itself is wrong, and reported as such
    for name, given in derived.items():
        if given != expected[name]:
            yield f"/{name}", f"is derived from the row and would be {expected[name]!r}"
