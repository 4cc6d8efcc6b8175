"""Reading data files as a stream of records, each with its line (or CSV row), in bounded memory.

- JSON: one mapping of lists (what `export` writes); items are decoded one at a time.
- NDJSON: one record per line, `{"<list>": {item}}`.
- YAML: a mapping of lists, as the seed file; items are composed one at a time.
- CSV: one event per row, in the dialect of csv_dialect.

A reader yields a Problem where the file cannot be read; after a syntax error in JSON, YAML or
CSV it stops, since nothing after it can be trusted.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import Node
from yaml.resolver import Resolver

from timeline_api.datafile import csv_dialect
from timeline_api.datafile.problems import Problem
from timeline_api.datafile.schemas import ORDER

FORMATS = ("json", "ndjson", "csv", "yaml")
_CHUNK = 1 << 20
_LARGEST_ITEM = 64 << 20  # an item this long without its end is a syntax error, not a slow read


@dataclass(frozen=True)
class Record:
    """One item of a file, where it is, and (CSV) the derived cells given for it."""

    kind: str  # the list: "events", "actors", ...
    raw: Any
    place: str | None  # "line 7", "row 3"; None for data that never was a file
    pointer: str  # "/events/12" in a mapping of lists; "" where the line or row is the item
    derived: Mapping[str, str] = field(default_factory=dict)
    may_hold_nul: bool = True  # False when the text it came from has no NUL (nor \\u0000)


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
        return _JsonItems(buffered).records()
    text = io.TextIOWrapper(buffered, encoding="utf-8", newline="")
    return _csv(text) if fmt == "csv" else _yaml(text)


# --- NDJSON ------------------------------------------------------------------------------------


def _ndjson(lines: IO[bytes]) -> Iterator[Record | Problem]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        place = f"line {number}"
        try:
            record = json.loads(line)
        except ValueError as error:  # UnicodeDecodeError is one too
            yield Problem("", f"not valid JSON: {getattr(error, 'msg', error)}", place)
            continue
        if type(record) is not dict or len(record) != 1 or next(iter(record)) not in ORDER:
            yield Problem("", f'must be {{"<list>": {{...}}}}, the list one of {ORDER}', place)
            continue
        [(name, item)] = record.items()
        yield Record(name, item, place, "", may_hold_nul=_may_hold_nul(line))


def _may_hold_nul(text: bytes | str) -> bool:
    if isinstance(text, bytes):
        return b"\x00" in text or b"\\u0000" in text
    return "\x00" in text or "\\u0000" in text


# --- JSON --------------------------------------------------------------------------------------


class JsonSyntaxError(Exception):
    """Where and why a JSON file stops being JSON."""

    def __init__(self, detail: str, line: int) -> None:
        super().__init__(detail)
        self.detail, self.line = detail, line


class _JsonItems:
    """A JSON mapping of lists, decoded one item at a time, counting lines as it goes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._text, self._pos, self._line, self._eof = "", 0, 1, False
        self._value_may_hold_nul = True

    def records(self) -> Iterator[Record | Problem]:
        try:
            yield from self._mapping()
        except JsonSyntaxError as error:
            yield Problem("", f"not valid JSON: {error.detail}", f"line {error.line}")
        except UnicodeDecodeError as error:
            yield Problem("", f"not UTF-8: {error}", f"line {self._line}")

    def _mapping(self) -> Iterator[Record | Problem]:
        if self._peek() != "{":
            self._value()  # a syntax error, or valid JSON that is not a mapping
            yield Problem("", "the file must hold a mapping of lists", "line 1")
            return
        self._advance(1)
        first = True
        while self._peek() != "}":
            if not first:
                self._expect(",")
            first = False
            line = self._line
            name = self._value()
            self._expect(":")
            if name not in ORDER:
                self._value()
                yield Problem(f"/{name}", f"is not a list of the format {ORDER}", f"line {line}")
            elif self._peek() != "[":
                self._value()
                yield Problem(f"/{name}", "must be a list", f"line {line}")
            else:
                yield from self._items(name)
        self._advance(1)
        if self._peek() != "":
            raise JsonSyntaxError("extra data after the mapping", self._line)

    def _items(self, name: str) -> Iterator[Record]:
        self._advance(1)
        index = 0
        while self._peek() != "]":
            if index:
                self._expect(",")
            line = self._line
            item = self._value()
            nul = self._value_may_hold_nul
            yield Record(name, item, f"line {line}", f"/{name}/{index}", may_hold_nul=nul)
            index += 1
        self._advance(1)

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end), moved to."""
        while True:
            text, pos = self._text, self._pos
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
            self._move(pos)
            if pos < len(text) or not self._fill():
                return text[pos] if pos < len(text) else ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise JsonSyntaxError(f"expected '{char}'", self._line)
        self._advance(1)

    def _advance(self, count: int) -> None:
        self._move(self._pos + count)

    def _move(self, pos: int) -> None:
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos

    def _value(self) -> Any:
        """Decode the value at the current position, reading on while it is incomplete."""
        self._peek()
        while True:
            try:
                value, end = self._json.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as error:
                if self._may_be_cut(error) and self._more():
                    continue
                line = self._line + self._text.count("\n", self._pos, error.pos)
                raise JsonSyntaxError(error.msg, line) from None
            if end == len(self._text) and self._more():
                continue  # a number may go on in the next chunk
            self._value_may_hold_nul = _may_hold_nul(self._text[self._pos : end])
            self._move(end)
            return value

    def _may_be_cut(self, error: json.JSONDecodeError) -> bool:
        """Whether the error may only mean that the buffer ends inside the value."""
        return error.msg.startswith("Unterminated string") or error.pos >= len(self._text) - 8

    def _more(self) -> bool:
        """Read more of a value the buffer ends inside; False at the end of the file."""
        if len(self._text) - self._pos > _LARGEST_ITEM:
            return False
        return self._fill()

    def _fill(self) -> bool:
        if self._eof:
            return False
        if self._pos > _CHUNK:  # drop what has been read
            self._text, self._pos = self._text[self._pos :], 0
        chunk = self._stream.read(_CHUNK)
        self._eof = not chunk
        self._text += self._decoder.decode(chunk, final=self._eof)
        return bool(chunk)


# --- YAML --------------------------------------------------------------------------------------

try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]  # not in the stubs
except ImportError:  # PyYAML without libyaml: the same events, slower
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)


class _ItemLoader(_Parser, Composer, SafeConstructor, Resolver):
    """libyaml's events, composed and constructed one list item at a time."""

    def __init__(self, stream: Any) -> None:
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.anchors = {}


def _yaml(text: IO[str]) -> Iterator[Record | Problem]:
    loader = _ItemLoader(text)
    try:
        yield from _yaml_mapping(loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else None
        yield Problem("", f"not valid YAML: {getattr(error, 'problem', None) or error}", place)
    except UnicodeDecodeError as error:
        yield Problem("", f"not UTF-8: {error}")


def _node(loader: _ItemLoader) -> Node:
    """The next whole node; Composer's arguments only matter for anchors' error messages."""
    node = loader.compose_node(None, None)  # type: ignore[arg-type]
    assert node is not None  # None only at the end of a document, which is checked for
    return node


def _yaml_mapping(loader: _ItemLoader) -> Iterator[Record | Problem]:
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return  # an empty file: nothing to load
    loader.get_event()  # document start
    if not loader.check_event(yaml.MappingStartEvent):
        if loader.construct_document(_node(loader)) is not None:
            yield Problem("", "the file must hold a mapping of lists", "line 1")
        return
    loader.get_event()
    while not loader.check_event(yaml.MappingEndEvent):
        key = _node(loader)
        name, line = loader.construct_document(key), f"line {key.start_mark.line + 1}"
        if name in ORDER and loader.check_event(yaml.SequenceStartEvent):
            loader.get_event()
            index = 0
            while not loader.check_event(yaml.SequenceEndEvent):
                node = _node(loader)
                item = loader.construct_document(node)
                yield Record(name, item, f"line {node.start_mark.line + 1}", f"/{name}/{index}")
                index += 1
            loader.get_event()
            continue
        value = loader.construct_document(_node(loader))
        if name not in ORDER:
            yield Problem(f"/{name}", f"is not a list of the format {ORDER}", line)
        elif value is not None:
            yield Problem(f"/{name}", "must be a list", line)


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
