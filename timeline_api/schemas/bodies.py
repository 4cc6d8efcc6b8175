"""Write bodies: what GET gives, read back as a data-file item, so that a client can GET a
record, change a member and PUT the body back.

Both forms are accepted, member by member: a reference as the object GET shows
(`{"id": "arrest", "name": "Arrest"}`) or as its id (`"arrest"`); an event's actor as
`{"id", "name", "kind", "role"}` or `{"actor", "role"}`; a country as `{"code", "name"}` or `"TW"`.
Read-only members are dropped when they agree with the record (as GET shows it now, or as the
body implies: `earliest` follows from `start`), and refused by name when they do not. What other
records say of this one (`event_count`, the other event's incoming links) is not this record's
to write, so it is ignored, except that an incoming link the record does not have is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from timeline_api.datafile import DatasetError, Item, Problem
from timeline_api.dates import DateSpan, InvalidDate, parse_partial_date

Body = dict[str, Any]
# A derived value that cannot be worked out (an invalid date): the item's own check says why.
UNKNOWN = object()
# Counts of what refers to a record: they change under an editor's feet, so never compared.
IGNORED = ("event_count",)


class Reader:
    """Reads one body, collecting the problems of its read-only members."""

    def __init__(self, current: Body | None) -> None:
        self.current = current  # the record as GET shows it; None when creating
        self.problems: list[Problem] = []

    def derived(self, body: Body, pointer: str, member: str, implied: Any) -> None:
        """Drop `member`, which follows from other members; refuse it when it disagrees."""
        if member not in body:
            return
        given = body.pop(member)
        allowed = [implied]
        if self.current is not None and pointer == "":  # nested items may be reordered
            allowed.append(self.current.get(member, UNKNOWN))
        if implied is UNKNOWN or given in allowed:
            return
        self.problems.append(
            Problem(
                f"{pointer}/{member}",
                f"is read-only and follows from the other members ({implied!r} here); "
                "leave it out or send what GET gives",
            )
        )

    def kept(self, body: Body, member: str) -> None:
        """Drop a member the server keeps (`updated_at`); refuse one that is not the record's."""
        if member not in body:
            return
        given = body.pop(member)
        if self.current is None or given == self.current.get(member):
            return
        self.problems.append(
            Problem(
                f"/{member}",
                f"is read-only: the server keeps it ({self.current.get(member)!r}); leave it out",
            )
        )


def _id(value: Any, key: str = "id") -> Any:
    """A reference as GET shows it (`{"id": ..., "name": ...}`) as its id; ids stay as they are."""
    return value[key] if isinstance(value, dict) and key in value else value


def _span(start: Any, end: Any) -> DateSpan | None:
    try:
        first = parse_partial_date(start)
        return DateSpan.of(first, parse_partial_date(end) if end is not None else None)
    except (InvalidDate, TypeError, ValueError):
        return None


def _precision(text: Any) -> Any:
    if text is None:
        return None
    try:
        return parse_partial_date(text).precision.value
    except (InvalidDate, TypeError, ValueError):
        return UNKNOWN


def _dates(reader: Reader, body: Body, pointer: str, start: str, end: str | None) -> None:
    """Drop the precisions and widest days GET adds to a date or a span."""
    span = _span(body.get(start), body.get(end) if end else None)
    first = span.first.isoformat() if span else UNKNOWN
    last = span.last.isoformat() if span else UNKNOWN
    if end is None:  # a series point: "precision", "earliest", "latest"
        reader.derived(body, pointer, "precision", _precision(body.get(start)))
    else:
        reader.derived(body, pointer, f"{start}_precision", _precision(body.get(start)))
        reader.derived(body, pointer, f"{end}_precision", _precision(body.get(end)))
    reader.derived(body, pointer, "earliest", first)
    reader.derived(body, pointer, "latest", last)


def _each(body: Body, member: str, convert: Callable[[Any, str], Any]) -> None:
    """Convert each item of a list member (left alone when it is not a list: the check says so)."""
    values = body.get(member)
    if isinstance(values, list):
        body[member] = [
            convert(dict(value) if isinstance(value, dict) else value, f"/{member}/{n}")
            for n, value in enumerate(values)
        ]


def _quoted(value: Any, _pointer: str) -> Any:
    if isinstance(value, dict) and "source" in value:
        value["source"] = _id(value["source"])
    if isinstance(value, dict):
        # Where the quote lies in the source's document: worked out on every read from the
        # quote and the document, never stored, so whatever a client sends back is dropped.
        value.pop("location", None)
    return value


def _actor(value: Any, _pointer: str) -> Any:
    if isinstance(value, dict) and "id" in value and "actor" not in value:
        value["actor"] = value.pop("id")
        value.pop("name", None)  # the actor's own members, not the event's to change
        value.pop("kind", None)
    return value


def _event(body: Body, reader: Reader) -> Body:
    start, end = body.get("start"), body.get("end")
    span = _span(start, end) if start is not None else None
    for member, implied in (
        ("earliest", span.first.isoformat() if span else UNKNOWN),
        ("latest", span.last.isoformat() if span else UNKNOWN),
        ("start_precision", _precision(start)),
        ("end_precision", _precision(end)),
        ("disputed", bool(body.get("alternative_dates"))),
    ):
        reader.derived(body, "", member, implied)
    reader.kept(body, "created_at")
    reader.kept(body, "updated_at")
    if "type" in body:
        body["type"] = _id(body["type"])
    _each(body, "actors", _actor)
    _each(body, "countries", lambda value, _pointer: _id(value, "code"))
    _each(body, "tags", lambda value, _pointer: _id(value))
    _each(body, "citations", _quoted)

    def alternative(value: Any, pointer: str) -> Any:
        if isinstance(value, dict):
            _dates(reader, value, pointer, "start", "end")
        return _quoted(value, pointer)

    _each(body, "alternative_dates", alternative)
    _links(body, reader)
    return body


def _incoming(current: Body | None) -> set[tuple[Any, Any]]:
    links = (current or {}).get("links") or []
    return {
        (link.get("kind"), _id(link.get("event")))
        for link in links
        if link.get("direction") == "incoming"
    }


def _links(body: Body, reader: Reader) -> None:
    """Outgoing links as `{"to", "kind"}`; incoming ones are the other event's, left out."""
    values = body.get("links")
    if not isinstance(values, list):
        return
    incoming = _incoming(reader.current)
    kept = []
    for n, link in enumerate(values):
        if not isinstance(link, dict) or ("event" not in link and "direction" not in link):
            kept.append(link)
            continue
        link = dict(link)
        direction = link.pop("direction", "outgoing")
        target = _id(link.pop("event", None))
        if direction == "incoming":
            if (link.get("kind"), target) not in incoming:
                reader.problems.append(
                    Problem(
                        f"/links/{n}",
                        f"is an incoming link the event does not have: it belongs to "
                        f"'{target}'; add it there",
                    )
                )
            continue
        kept.append({"to": target, **link})
    body["links"] = kept


def _source(body: Body, reader: Reader) -> Body:
    reader.derived(body, "", "published_precision", _precision(body.get("published")))
    if body.get("title_is_descriptive") is False:  # the default: the file form leaves it out
        del body["title_is_descriptive"]
    return body


def _series(body: Body, reader: Reader) -> Body:
    def point(value: Any, pointer: str) -> Any:
        if isinstance(value, dict):
            _dates(reader, value, pointer, "period", None)
        return _quoted(value, pointer)

    _each(body, "points", point)
    return body


def _plain(body: Body, _reader: Reader) -> Body:
    return body


CONVERTERS: dict[str, Callable[[Body, Reader], Body]] = {
    "events": _event,
    "actors": _plain,
    "sources": _source,
    "tags": _plain,
    "event_types": _plain,
    "series": _series,
}


def as_item(name: str, body: Body, current: Body | None = None) -> Item:
    """`body` of list `name` (either form) in data-file form; `current` is the record as GET
    shows it, None when creating. Raises DatasetError naming each read-only member that
    disagrees."""
    reader = Reader(current)
    item = {key: value for key, value in body.items() if key not in IGNORED}
    item = CONVERTERS[name](item, reader)
    if reader.problems:
        raise DatasetError(reader.problems)
    return item
