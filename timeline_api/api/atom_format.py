"""The changes feed as Atom (RFC 4287): what a feed reader or an alerting tool subscribes to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

MEDIA_TYPE = "application/atom+xml"
ATOM = "http://www.w3.org/2005/Atom"


def render(revisions: Sequence[Any], feed_url: str, record_url: str) -> bytes:
    """An Atom feed of `revisions`, newest first; `record_url` with `{type}` and `{id}`."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", feed_url)
    _add(feed, "title", "timeline-api: changes")
    newest = revisions[0].created_at if revisions else datetime(1970, 1, 1, tzinfo=UTC)
    _add(feed, "updated", _moment(newest))
    _add(feed, "link", rel="self", href=feed_url)
    author = _add(feed, "author")
    _add(author, "name", "timeline-api")
    for revision in revisions:
        _entry(feed, revision, record_url)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)  # type: ignore[no-any-return]


def _entry(feed: ElementTree.Element, revision: Any, record_url: str) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", f"{feed.findtext(f'{{{ATOM}}}id')}#change-{revision.id}")
    _add(entry, "title", title(revision))
    _add(entry, "updated", _moment(revision.created_at))
    url = record_url.replace("{type}", _path(revision.record_type))
    if revision.record_type == "countries":  # listed, without a page of their own
        url = url.removesuffix("/{id}")
    _add(entry, "link", rel="alternate", href=url.replace("{id}", revision.record_id))
    _add(entry, "category", term=revision.action)
    _add(entry, "category", term=revision.record_type)
    author = _add(entry, "author")
    _add(author, "name", revision.author)
    _add(entry, "summary", _summary(revision))


def title(revision: Any) -> str:
    """ "events/tw-arrest-2024 updated: Title of the record" (the name as it is after)."""
    record = revision.after or revision.before or {}
    name = record.get("title") or record.get("name") or ""
    past = {"create": "created", "update": "updated", "delete": "deleted", "restore": "restored"}
    heading = f"{revision.record_type}/{revision.record_id} {past[revision.action]}"
    return f"{heading}: {name}" if name else heading


def _summary(revision: Any) -> str:
    if revision.before and revision.after:
        changed = sorted(
            key
            for key in revision.before.keys() | revision.after.keys()
            if revision.before.get(key) != revision.after.get(key)
        )
        return "Changed: " + ", ".join(changed) + "." if changed else "No field changed."
    return f"By {revision.author}."


def _path(record_type: str) -> str:
    return record_type.replace("_", "-")  # event_types → /v1/event-types


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _add(parent: ElementTree.Element, name: str, text: str | None = None, **attributes: str) -> Any:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element
