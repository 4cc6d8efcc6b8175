"""Data files as JSON, NDJSON or CSV: read into the data-file shape, with line numbers for errors.

- JSON: the whole file is one mapping of lists (what `export` writes).
- NDJSON: one record per line, `{"<list>": {item}}`, e.g. `{"events": {"id": ...}}`.
- CSV: one event per row; see CSV_COLUMNS. Lists are `;`-separated, actors `actor:role`,
  links `event:kind`, one citation per row (`source`, `quote`, `note`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from timeline_api.services.dataset import ORDER, DatasetError, Problem

CSV_COLUMNS = (
    "id",
    "title",
    "summary",
    "text",
    "type",
    "importance",
    "start",
    "end",
    "is_approximate",
    "date_note",
    "countries",
    "tags",
    "actors",
    "source",
    "quote",
    "note",
    "links",
)
REQUIRED_COLUMNS = ("id", "title", "summary", "type", "importance", "start", "source")
FORMATS = ("json", "ndjson", "csv", "yaml")


@dataclass
class Parsed:
    """A file read into the data-file shape, and where each item came from."""

    data: dict[str, Any]
    places: dict[tuple[str, int], str]  # (list, index) → "line 7" / "row 3"

    def locate(self, problem: Problem) -> Problem:
        """The problem, with its line or row when the file has them."""
        match = re.match(r"^/(\w+)/(\d+)(/.*)?$", problem.pointer)
        if match is None:
            return problem
        place = self.places.get((match[1], int(match[2])))
        if place is None:
            return problem
        return Problem(match[3] or "/", problem.detail, place)


def format_of(name: str, content_type: str | None = None) -> str:
    """The format a file name or a Content-Type names."""
    if content_type:
        for fmt, media in (
            ("ndjson", "ndjson"),
            ("csv", "csv"),
            ("json", "json"),
            ("yaml", "yaml"),
        ):
            if media in content_type:
                return fmt
    suffix = name.rsplit(".", 1)[-1].lower()
    return {"yml": "yaml", "jsonl": "ndjson"}.get(suffix, suffix)


def parse(text: str, fmt: str) -> Parsed:
    """Read `text` as `fmt`; a syntax error is a DatasetError naming the line."""
    if fmt == "ndjson":
        return _ndjson(text)
    if fmt == "csv":
        return _csv(text)
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise DatasetError([Problem("", f"not valid {fmt.upper()}: {error}")]) from None
    return Parsed(data if data is not None else {}, {})


def _ndjson(text: str) -> Parsed:
    data: dict[str, list[Any]] = {}
    places: dict[tuple[str, int], str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            problems.append(Problem("", f"not valid JSON: {error}", f"line {number}"))
            continue
        if not (isinstance(record, dict) and len(record) == 1 and next(iter(record)) in ORDER):
            problems.append(
                Problem(
                    "", f'must be {{"<list>": {{...}}}} with a list of {ORDER}', f"line {number}"
                )
            )
            continue
        name, item = next(iter(record.items()))
        places[(name, len(data.setdefault(name, [])))] = f"line {number}"
        data[name].append(item)
    if problems:
        raise DatasetError(problems)
    return Parsed(data, places)


def _csv(text: str) -> Parsed:
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if unknown or missing:
        detail = "; ".join(
            filter(
                None,
                (
                    f"unknown columns: {', '.join(unknown)}" if unknown else "",
                    f"missing columns: {', '.join(missing)}" if missing else "",
                ),
            )
        )
        raise DatasetError([Problem("", f"{detail} (columns: {', '.join(CSV_COLUMNS)})", "row 1")])
    events, places = [], {}
    for index, row in enumerate(reader):
        places[("events", index)] = f"row {index + 2}"
        events.append(_event_from_row(row))
    return Parsed({"events": events}, places)


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _pairs(cell: str | None, first: str, second: str) -> list[dict[str, str]]:
    pairs = []
    for part in _split(cell):
        left, _, right = part.rpartition(":")
        pairs.append({first: left or right, second: right if left else ""})
    return pairs


def _event_from_row(row: dict[str, str]) -> dict[str, Any]:
    def cell(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    importance = cell("importance")
    item: dict[str, Any] = {
        "id": cell("id"),
        "title": cell("title"),
        "summary": cell("summary"),
        "text": cell("text"),
        "type": cell("type"),
        "importance": int(importance) if importance and importance.isdigit() else importance,
        "start": cell("start"),
        "end": cell("end"),
        "is_approximate": (cell("is_approximate") or "false").lower() in ("true", "1", "yes"),
        "date_note": cell("date_note"),
        "countries": _split(row.get("countries")),
        "tags": _split(row.get("tags")),
        "actors": _pairs(row.get("actors"), "actor", "role"),
        "citations": [
            {
                k: v
                for k, v in (
                    ("source", cell("source")),
                    ("quote", cell("quote")),
                    ("note", cell("note")),
                )
                if v is not None
            }
        ],
        "links": _pairs(row.get("links"), "to", "kind"),
    }
    return {key: value for key, value in item.items() if value is not None}


def write_ndjson(records: Iterable[tuple[str, dict[str, Any]]], out: Callable[[str], Any]) -> None:
    for name, item in records:
        out(json.dumps({name: item}, ensure_ascii=False) + "\n")


def write_json(records: Iterable[tuple[str, dict[str, Any]]], out: Callable[[str], Any]) -> None:
    document: dict[str, list[dict[str, Any]]] = {}
    for name, item in records:
        document.setdefault(name, []).append(item)
    out(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
