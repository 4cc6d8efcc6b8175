"""Reading data files as a stream of records, each with its line (or CSV row), in bounded memory.

- JSON: one mapping of lists (what `export` writes); items are decoded one at a time.
- NDJSON: one record per line, `{"<list>": {item}}`.
- YAML: a mapping of lists, as the seed file; items are composed one at a time.
- CSV: one event per row, in the dialect of csv_dialect.

A reader yields a Problem where the file cannot be read; after a syntax error in JSON, YAML or
CSV it stops, since nothing after it can be trusted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from typing import IO, Any

import orjson

from timeline_api.datafile import csv_dialect
from timeline_api.datafile.json_items import NESTED_TOO_DEEPLY, JsonItems
from timeline_api.datafile.problems import Problem
from timeline_api.datafile.record import Record, may_hold_unstorable
from timeline_api.datafile.schemas import ORDER
from timeline_api.datafile.yaml_items import yaml_records

__all__ = ["FORMATS", "Input", "Record", "format_of", "read"]
FORMATS = ("json", "ndjson", "csv", "yaml")
_CHUNK = 1 << 20


class Input(io.RawIOBase):
    """A file's bytes as they are read: their SHA-256 and how many were read."""

    def __init__(self, stream: IO[bytes], size: int = 0) -> None:
        super().__init__()
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.position = 0
        self.size = size  # when known, for progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self.sha256.update(data)
        self.position += len(data)
        return len(data)


def format_of(name: str, content_type: str | None = None) -> str:
    """The format a Content-Type or else a file name names ("" when neither does)."""
    if content_type:
        for fmt in ("ndjson", "csv", "json", "yaml"):
            if fmt in content_type:
                return fmt
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"yml": "yaml", "jsonl": "ndjson"}.get(suffix, suffix)


def read(source: Input, fmt: str) -> Iterator[Record | Problem]:
    """The records of `source` read as `fmt`, and problems where it cannot be read."""
    buffered = io.BufferedReader(source, _CHUNK)
    if fmt == "ndjson":
        return _ndjson(buffered)
    if fmt == "json":
        return JsonItems(buffered).records()
    text = io.TextIOWrapper(buffered, encoding="utf-8", newline="")
    return _csv(text) if fmt == "csv" else yaml_records(text)


# --- NDJSON ------------------------------------------------------------------------------------


def _ndjson(lines: IO[bytes]) -> Iterator[Record | Problem]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        place = f"line {number}"
        try:
            record = _json_line(line)
        except ValueError as error:  # UnicodeDecodeError is one too
            yield Problem("", f"not valid JSON: {getattr(error, 'msg', error)}", place)
            continue
        except RecursionError:
            yield Problem("", f"not valid JSON: {NESTED_TOO_DEEPLY}", place)
            continue
        if type(record) is not dict or len(record) != 1 or next(iter(record)) not in ORDER:
            yield Problem("", f'must be {{"<list>": {{...}}}}, the list one of {ORDER}', place)
            continue
        [(name, item)] = record.items()
        yield Record(name, item, place, "", may_hold_unstorable=may_hold_unstorable(line))


def _json_line(line: bytes) -> Any:
    """orjson reads a line in a quarter of the time; what it refuses (a lone surrogate, an
    integer beyond 64 bits, NaN) the standard library still reads or explains."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


# --- CSV ---------------------------------------------------------------------------------------


def _csv(text: IO[str]) -> Iterator[Record | Problem]:
    rows = csv.DictReader(text)
    try:
        columns = list(rows.fieldnames or [])
        problem = csv_dialect.header_problem(columns)
        if problem is not None:
            yield Problem("", problem, "row 1")
            return
        for number, row in enumerate(rows, start=2):
            item, derived, problems = csv_dialect.item_of(row)
            place = f"row {number}"
            if None in row:
                yield Problem("", "has more cells than the header has columns", place)
            for pointer, detail in problems:
                yield Problem(pointer, detail, place)
            yield Record("events", item, place, "", derived)
    except csv.Error as error:
        yield Problem("", f"not valid CSV: {error}", f"line {rows.line_num}")
    except UnicodeDecodeError as error:
        yield Problem("", f"not UTF-8: {error}", f"line {rows.line_num}")
