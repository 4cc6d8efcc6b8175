"""A JSON mapping of lists, decoded one item at a time, counting lines as it goes."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

from timeline_api.datafile.problems import Problem
from timeline_api.datafile.record import Record, may_hold_unstorable
from timeline_api.datafile.schemas import ORDER

_CHUNK = 1 << 20
_LARGEST_ITEM = 64 << 20  # an item this long without its end is a syntax error, not a slow read


NESTED_TOO_DEEPLY = "nested too deeply"


class JsonSyntaxError(Exception):
    """Where and why a JSON file stops being JSON."""

    def __init__(self, detail: str, line: int) -> None:
        super().__init__(detail)
        self.detail, self.line = detail, line


class JsonItems:
    """A JSON mapping of lists, decoded one item at a time, counting lines as it goes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._text, self._pos, self._line, self._eof = "", 0, 1, False
        self._value_may_hold_unstorable = True

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
            scan = self._value_may_hold_unstorable
            yield Record(name, item, f"line {line}", f"/{name}/{index}", may_hold_unstorable=scan)
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
            except RecursionError:  # the decoder recurses per level: nothing valid is that deep
                raise JsonSyntaxError(NESTED_TOO_DEEPLY, self._line) from None
            if end == len(self._text) and self._more():
                continue  # a number may go on in the next chunk
            self._value_may_hold_unstorable = may_hold_unstorable(self._text[self._pos : end])
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
