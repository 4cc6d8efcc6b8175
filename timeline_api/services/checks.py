"""Checking a data file (docs/data-format.md) whole, so that a load with any problem writes
nothing and reports every problem at once, each by JSON pointer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline_api.models import Actor, Country, Event, EventType, Source, Tag
from timeline_api.schemas.dataset import DatasetSchema
from timeline_api.services.documents import document_text, quote_is_verbatim

# The lists of a file, in the order a loader needs them.
ORDER = ("countries", "event_types", "tags", "sources", "actors", "events", "series")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (a JSON pointer, and a line or row) and why."""

    pointer: str
    detail: str
    place: str | None = None  # "line 7", "row 3": where the file has lines or rows

    def __str__(self) -> str:
        where = f"{self.place}: " if self.place else ""
        return f"{where}{self.pointer or '/'}: {self.detail}"


class DatasetError(Exception):
    """A file that cannot be loaded; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the data file")
        self.problems = problems


def validate(session: Session, raw: Any) -> dict[str, Any]:
    """The loaded data, or a DatasetError listing every problem found."""
    if not isinstance(raw, dict):
        raise DatasetError([Problem("", "the file must hold a mapping of lists")])
    nul = [Problem(pointer, "must not contain NUL characters") for pointer in _nul(raw, "")]
    if nul:
        raise DatasetError(nul)
    try:
        data: dict[str, Any] = DatasetSchema().load(raw)
    except ValidationError as error:
        # Report what the other checks find too, on what can be read: every problem at once.
        found = [*_flatten(error.messages), *_checks(session, _salvage(raw))]
        raise DatasetError(list(dict.fromkeys(found))) from None
    problems = _checks(session, data)
    if problems:
        raise DatasetError(problems)
    return data


def _nul(value: Any, pointer: str) -> Iterable[str]:
    """Pointers to strings holding NUL, which no database stores as text."""
    if isinstance(value, str):
        if "\x00" in value:
            yield pointer
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul(item, f"{pointer}/{index}")


def _checks(session: Session, data: dict[str, Any]) -> list[Problem]:
    return [
        *_duplicates(data),
        *_repeats(data),
        *_unresolved(session, data),
        *_misquoted(session, data),
    ]


def _repeats(data: dict[str, Any]) -> Iterable[Problem]:
    """What the tables would refuse: an actor's role twice, a period twice, a link to itself."""
    for index, event in enumerate(data["events"]):
        at = f"/events/{index}"
        yield from _twice(
            at + "/actors",
            [(a.get("actor"), a.get("role")) for a in event["actors"]],
            "this actor has this role already",
        )
        yield from _twice(
            at + "/links",
            [(a.get("to"), a.get("kind")) for a in event["links"]],
            "this link is given already",
        )
        for n, link in enumerate(event["links"]):
            if _text(link.get("to")) and link.get("to") == event.get("id"):
                yield Problem(f"{at}/links/{n}/to", "an event cannot link to itself")
    for index, series in enumerate(data["series"]):
        periods = [str(point.get("period")) for point in series["points"]]
        for problem in _twice(f"/series/{index}/points", periods, "this period has a value"):
            yield Problem(problem.pointer + "/period", problem.detail)


def _twice(at: str, keys: list[Any], detail: str) -> Iterable[Problem]:
    seen = set()
    for n, key in enumerate(keys):
        if key in seen:
            yield Problem(f"{at}/{n}", f"{detail} (repeated)")
        seen.add(key)


def _salvage(raw: dict[str, Any]) -> dict[str, Any]:
    """A file that failed the schema, shaped so that the other checks can read what is there."""

    def dicts(value: Any) -> list[dict[str, Any]]:
        return (
            [dict(v) if isinstance(v, dict) else {} for v in value]
            if isinstance(value, list)
            else []
        )

    def texts(value: Any) -> list[Any]:
        return [v if isinstance(v, str) else None for v in value] if isinstance(value, list) else []

    data = {name: dicts(raw.get(name)) for name in ORDER}
    for event in data["events"]:
        for nested in ("actors", "citations", "alternative_dates", "links"):
            event[nested] = dicts(event.get(nested))
        for nested in ("countries", "tags"):
            event[nested] = texts(event.get(nested))
    for series in data["series"]:
        series["points"] = dicts(series.get("points"))
    return data


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _flatten(messages: Any, pointer: str = "") -> Iterable[Problem]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            # marshmallow's "_schema" is the item itself, not a member of it.
            yield from _flatten(value, pointer if key == "_schema" else f"{pointer}/{key}")
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield Problem(pointer, message)
    else:
        yield Problem(pointer, str(messages))


def key_field(name: str) -> str:
    """The member that identifies an item of the list `name`."""
    return "code" if name == "countries" else "id"


def _duplicates(data: dict[str, Any]) -> Iterable[Problem]:
    for name, items in data.items():
        seen: set[str] = set()
        for index, item in enumerate(items):
            key = _text(item.get(key_field(name)))
            if key is None:
                continue
            if key in seen:
                yield Problem(f"/{name}/{index}/{key_field(name)}", f"'{key}' appears twice")
            seen.add(key)


# Which list each kind of reference points into, and the model holding earlier records.
_TARGETS: dict[str, tuple[str, Any]] = {
    "type": ("event_types", EventType),
    "tag": ("tags", Tag),
    "source": ("sources", Source),
    "actor": ("actors", Actor),
    "country": ("countries", Country),
    "event": ("events", Event),
}


def _references(data: dict[str, Any]) -> Iterable[tuple[str, str, str]]:
    """Every (pointer, kind, key) reference in the file that names something."""
    found: list[tuple[str, str, Any]] = []
    for index, actor in enumerate(data["actors"]):
        found.append((f"/actors/{index}/country", "country", actor.get("country")))
    for index, event in enumerate(data["events"]):
        at = f"/events/{index}"
        found.append((f"{at}/type", "type", event.get("type")))
        found += [
            (f"{at}/actors/{n}/actor", "actor", role.get("actor"))
            for n, role in enumerate(event["actors"])
        ]
        found += [
            (f"{at}/countries/{n}", "country", code) for n, code in enumerate(event["countries"])
        ]
        found += [(f"{at}/tags/{n}", "tag", tag) for n, tag in enumerate(event["tags"])]
        found += [
            (f"{at}/links/{n}/to", "event", link.get("to")) for n, link in enumerate(event["links"])
        ]
    found += [
        (f"{pointer}/source", "source", quoted.get("source")) for pointer, quoted in _quoted(data)
    ]
    return [(pointer, kind, key) for pointer, kind, key in found if _text(key)]


def _unresolved(session: Session, data: dict[str, Any]) -> Iterable[Problem]:
    wanted: dict[str, set[str]] = {kind: set() for kind in _TARGETS}
    references = list(_references(data))
    for _pointer, kind, key in references:
        wanted[kind].add(key)
    known = {kind: _known(session, data, kind, keys) for kind, keys in wanted.items()}
    for pointer, kind, key in references:
        if key not in known[kind]:
            yield Problem(pointer, f"no {kind} with id '{key}'")


def _known(session: Session, data: dict[str, Any], kind: str, keys: set[str]) -> set[str]:
    list_name, model = _TARGETS[kind]
    in_file = {key for item in data[list_name] if (key := _text(item.get(key_field(list_name))))}
    missing = keys - in_file
    if not missing:
        return in_file
    column = model.code if model is Country else model.slug
    return in_file | set(session.scalars(select(column).where(column.in_(missing))))


def _misquoted(session: Session, data: dict[str, Any]) -> Iterable[Problem]:
    """Quotes of stored documents must be word for word; such sources must be quoted."""
    documents = {s["id"]: s.get("document") for s in data["sources"] if _text(s.get("id"))}
    missing = {
        source
        for _pointer, quoted in _quoted(data)
        if (source := _text(quoted.get("source"))) and source not in documents
    }
    if missing:
        rows = session.execute(select(Source.slug, Source.document).where(Source.slug.in_(missing)))
        documents.update({slug: document for slug, document in rows})
    for index, source in enumerate(data["sources"]):
        name = _text(source.get("document"))
        if name and document_text(name) is None:
            yield Problem(f"/sources/{index}/document", "no such stored document")
    for pointer, quoted in _quoted(data):
        document = _text(documents.get(_text(quoted.get("source")) or ""))
        if not document or document_text(document) is None:
            continue
        if not isinstance(quoted.get("quote"), str) or not quoted["quote"]:
            yield Problem(f"{pointer}/quote", f"required: '{quoted['source']}' is a document")
        elif not quote_is_verbatim(quoted["quote"], document):
            yield Problem(f"{pointer}/quote", f"not found word for word in {document}")


def _quoted(data: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for index, event in enumerate(data["events"]):
        for list_name in ("citations", "alternative_dates"):
            for n, quoted in enumerate(event[list_name]):
                yield f"/events/{index}/{list_name}/{n}", quoted
    for index, series in enumerate(data["series"]):
        for n, point in enumerate(series["points"]):
            yield f"/series/{index}/points/{n}", point
