"""Checking a data file whole while it streams by, so that a load with any problem writes nothing.

Each record is loaded by its schema and checked on its own (NUL, lone surrogates, repeated roles,
links or periods, a link to itself); across records, ids must be unique per list and every
reference must name a record of the file or of the database. Memory holds the ids seen, the
references not resolved yet and the sources' documents, never the records themselves.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from typing import Any, Protocol

from marshmallow import ValidationError

from timeline_api.datafile import csv_dialect, fastload
from timeline_api.datafile.documents import document_text, quote_is_verbatim
from timeline_api.datafile.problems import Problem, ProblemLog
from timeline_api.datafile.readers import Record
from timeline_api.datafile.schemas import SCHEMAS, Item, key_field

# What each kind of reference names, by list.
TARGETS = {
    "type": "event_types",
    "tag": "tags",
    "source": "sources",
    "actor": "actors",
    "country": "countries",
    "event": "events",
}
_RESOLVE_EVERY = 5000  # pending references asked of the database at once
_REMEMBERED = 200_000  # stored ids kept to answer later references without asking again


class Stored(Protocol):
    """What the checks need to know of the database."""

    def existing(self, name: str, keys: Collection[str]) -> set[str]:
        """The `keys` that records of the list `name` have."""

    def documents(self) -> dict[str, str]:
        """Every stored source that has a document: its id and the document's name."""


def load(kind: str, raw: Any) -> Item:
    """An item loaded by its list's schema; raises ValidationError."""
    return fastload.load(SCHEMAS[kind], raw)  # type: ignore[no-any-return]


class FileCheck:
    """Feed it every record (or reading problem) of a file, then call `finish`."""

    def __init__(self, stored: Stored, log: ProblemLog | None = None) -> None:
        self.log = log or ProblemLog()
        self._stored = stored
        self._keys: dict[str, set[str]] = defaultdict(set)
        self._in_database: dict[str, set[str]] = defaultdict(set)
        self._not_in_database: dict[str, set[str]] = defaultdict(set)
        self._pending: dict[str, list[tuple[str | None, str, str]]] = defaultdict(list)
        self._stored_documents = stored.documents()
        self._file_sources: dict[str, tuple[str | None, str | None, str]] = {}
        self._cited_early: set[str] = set()

    def add(self, entry: Record | Problem) -> Item | None:
        """Check one record (the item loaded, or None), or note where the file is unreadable."""
        if isinstance(entry, Problem):
            self.log.add(entry)
            return None
        place, at = entry.place, entry.pointer
        unstorable = list(_unstorable(entry.raw, at)) if entry.may_hold_unstorable else []
        if unstorable:
            for pointer, detail in unstorable:
                self.log.add(Problem(pointer, detail, place))
            return None
        loaded = None
        try:
            loaded = load(entry.kind, entry.raw)
        except ValidationError as error:
            for pointer, detail in _flatten(error.messages, at):
                self.log.add(Problem(pointer, detail, place))
        else:
            for pointer, detail in csv_dialect.derived_problems(loaded, dict(entry.derived)):
                self.log.add(Problem(at + pointer, detail, place))
        # The item as written, so that pointers count members as the file does (loading sorts
        # tags, countries and points); what it holds is checked as far as it can be read.
        self._check_across(entry.kind, entry.raw if isinstance(entry.raw, dict) else {}, place, at)
        return loaded

    def _check_across(self, kind: str, data: dict[str, Any], place: str | None, at: str) -> None:
        key = _text(data.get(key_field(kind)))
        if key is not None:
            if key in self._keys[kind]:
                self.log.add(Problem(f"{at}/{key_field(kind)}", f"'{key}' appears twice", place))
            self._keys[kind].add(key)
        if kind == "sources" and key is not None:
            self._file_sources[key] = (_text(data.get("document")), place, at)
            document = _text(data.get("document"))
            if document and document_text(document) is None:
                self.log.add(Problem(f"{at}/document", "no such stored document", place))
        for pointer, detail in repeats(kind, data):
            self.log.add(Problem(at + pointer, detail, place))
        for pointer, target, name in references(kind, data):
            self._refer(place, at + pointer, target, name)
        for pointer, quoted in quoted_items(kind, data):
            self._check_quote(place, at + pointer, quoted)

    def _refer(self, place: str | None, pointer: str, target: str, key: str) -> None:
        name = TARGETS[target]
        if key in self._keys[name] or key in self._in_database[name]:
            return
        pending = self._pending[target]
        pending.append((place, pointer, key))
        if len(pending) >= _RESOLVE_EVERY:
            self._resolve(target)

    def _resolve(self, target: str, final: bool = False) -> None:
        """Ask the database for pending references; at the end, report what nobody defines."""
        name = TARGETS[target]
        in_file, stored = self._keys[name], self._in_database[name]
        pending = [ref for ref in self._pending[target] if ref[2] not in in_file]
        unknown = {key for _p, _q, key in pending} - stored - self._not_in_database[name]
        if unknown:
            found = self._stored.existing(name, unknown)
            if len(stored) + len(found) > _REMEMBERED:
                stored.clear()
            stored.update(found)
            self._not_in_database[name].update(unknown - found)
        left = [ref for ref in pending if ref[2] not in stored]
        if not final:
            self._pending[target] = left
            return
        for place, pointer, key in left:
            self.log.add(Problem(pointer, f"no {target} with id '{key}'", place))

    def _check_quote(self, place: str | None, pointer: str, quoted: dict[str, Any]) -> None:
        """Quotes of a stored document must be in it word for word; such sources need them."""
        source = _text(quoted.get("source"))
        if source is None:
            return
        if source in self._file_sources:
            document = self._file_sources[source][0]
        else:
            self._cited_early.add(source)
            document = self._stored_documents.get(source)
        if not document or document_text(document) is None:
            return
        quote = quoted.get("quote")
        if not isinstance(quote, str) or not quote:
            self.log.add(Problem(f"{pointer}/quote", f"required: '{source}' is a document", place))
        elif not quote_is_verbatim(quote, document):
            self.log.add(
                Problem(f"{pointer}/quote", f"not found word for word in {document}", place)
            )

    def finish(self) -> None:
        """The checks that need the whole file; raises DatasetError with every problem found."""
        for target in list(self._pending):
            self._resolve(target, final=True)
        for source in sorted(self._cited_early & self._file_sources.keys()):
            document, place, at = self._file_sources[source]
            if document != self._stored_documents.get(source):
                self.log.add(
                    Problem(
                        f"{at}/document",
                        "changes the source's document after records quoting it; "
                        "list sources before the events and series that cite them",
                        place,
                    )
                )
        self.log.raise_any()


def check_items(stored: Stored, records: Iterable[Record | Problem]) -> None:
    """Check every record of a file; raises DatasetError listing the problems."""
    check = FileCheck(stored)
    for entry in records:
        check.add(entry)
    check.finish()


# --- One record at a time ----------------------------------------------------------------------


# A surrogate left alone after decoding (JSON's "\ud800") is no character: UTF-8 cannot hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, reason) for strings no database stores as text: NUL, lone surrogates.

    A loop, not recursion: a value nested a thousand deep is walked like any other."""
    stack = [(pointer, value)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                yield at, "must not contain NUL characters"
            elif _SURROGATE.search(value):
                yield at, "must not contain unpaired surrogates (\\ud800-\\udfff)"
        elif isinstance(value, dict):
            stack += reversed([(f"{at}/{key}", item) for key, item in value.items()])
        elif isinstance(value, list):
            stack += reversed([(f"{at}/{index}", item) for index, item in enumerate(value)])


def _flatten(messages: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            # marshmallow's "_schema" is the item itself, not a member of it.
            yield from _flatten(value, pointer if key == "_schema" else f"{pointer}/{key}")
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield pointer, message
    else:
        yield pointer, str(messages)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The members of a list that are mappings, tolerating anything (for a refused item)."""
    if not isinstance(value, list):
        return []
    return [item if isinstance(item, dict) else {} for item in value]


def repeats(kind: str, item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """What the tables would refuse: a role, link, alias or period twice, a link to itself."""
    if kind == "events":
        roles = [(a.get("actor"), a.get("role")) for a in _dicts(item.get("actors"))]
        yield from _twice("/actors", roles, "this actor has this role already")
        links = _dicts(item.get("links"))
        pairs = [(link.get("to"), link.get("kind")) for link in links]
        yield from _twice("/links", pairs, "this link is given already")
        for n, link in enumerate(links):
            if _text(link.get("to")) and link.get("to") == item.get("id"):
                yield f"/links/{n}/to", "an event cannot link to itself"
    elif kind == "actors":
        aliases = item.get("aliases")
        yield from _twice("/aliases", aliases if isinstance(aliases, list) else [], "repeated")
    elif kind == "series":
        periods = [str(point.get("period")) for point in _dicts(item.get("points"))]
        for pointer, detail in _twice("/points", periods, "this period has a value"):
            yield pointer + "/period", detail


def _twice(at: str, keys: list[Any], detail: str) -> Iterator[tuple[str, str]]:
    seen = set()
    for n, key in enumerate(keys):
        if not _comparable(key):  # a role or kind given as {} or []: its schema says why
            continue
        if key in seen:
            yield f"{at}/{n}", f"{detail} (repeated)" if detail != "repeated" else "is repeated"
        seen.add(key)


def _comparable(key: Any) -> bool:
    """A string, or a tuple of strings (or None for a member left out)."""
    if isinstance(key, tuple):
        return all(part is None or isinstance(part, str) for part in key)
    return isinstance(key, str)


def references(kind: str, item: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Every (pointer, kind of reference, id) in the item that names something."""
    found: list[tuple[str, str, Any]] = []
    if kind == "actors":
        found.append(("/country", "country", item.get("country")))
    elif kind == "events":
        found.append(("/type", "type", item.get("type")))
        found += [
            (f"/actors/{n}/actor", "actor", role.get("actor"))
            for n, role in enumerate(_dicts(item.get("actors")))
        ]
        for name, target in (("countries", "country"), ("tags", "tag")):
            values = item.get(name)
            for n, key in enumerate(values if isinstance(values, list) else []):
                found.append((f"/{name}/{n}", target, key))
        found += [
            (f"/links/{n}/to", "event", link.get("to"))
            for n, link in enumerate(_dicts(item.get("links")))
        ]
    found += [
        (f"{at}/source", "source", quoted.get("source")) for at, quoted in quoted_items(kind, item)
    ]
    return ((pointer, target, key) for pointer, target, key in found if _text(key))


def quoted_items(kind: str, item: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, item) for every citation, alternative date and series point."""
    names = {"events": ("citations", "alternative_dates"), "series": ("points",)}.get(kind, ())
    for name in names:
        for n, quoted in enumerate(_dicts(item.get(name))):
            yield f"/{name}/{n}", quoted
