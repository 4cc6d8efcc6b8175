"""Writing one record: create, change, replace, delete, restore. Each call is one transaction
(the caller commits), validated whole before anything is written, and kept as a revision."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from timeline_api.datafile import DatasetError, Item, Problem, Record, checks, key_field
from timeline_api.models import (
    Actor,
    AlternativeDate,
    Citation,
    Event,
    EventActor,
    EventLink,
    EventType,
    Revision,
    SeriesPoint,
    Source,
    Tag,
    event_tags,
)
from timeline_api.queries import stored
from timeline_api.services import history
from timeline_api.services.bulk import Dumped, Writer
from timeline_api.services.imports import StoredData


class Conflict(Exception):
    """The change contradicts stored data: a duplicate id, a record still in use."""


class Gone(Exception):
    """The record was deleted."""


def validate_item(session: Session, name: str, raw: Any) -> Item:
    """One item, checked as a data file of one; problems point into the item itself."""
    check = checks.FileCheck(StoredData(session))
    check.add(Record(name, raw, None, ""))
    check.finish()
    return checks.load(name, raw)


def find(session: Session, name: str, key: str) -> Any:
    """The stored record of list `name` with public id `key`, or None."""
    model = stored.MODELS[name]
    return session.scalar(select(model).where(stored.key_column(name) == key))


def public_id(record: Any) -> str:
    return getattr(record, "slug", None) or record.code  # type: ignore[no-any-return]


def _save(
    session: Session, name: str, item: Item, author: str, action: str, version: int | None
) -> Any:
    """Write one checked item through the same writer as an import; the record, reloaded."""
    key = item[key_field(name)]
    writer = Writer(session, author)
    writer.put(name, [Dumped.of(name, item)], action, None if version is None else {key: version})
    writer.link()
    session.expire_all()  # Core wrote past the session: let it read the record afresh
    return find(session, name, key)


def create(session: Session, name: str, raw: Any, author: str) -> Any:
    item = validate_item(session, name, raw)
    key = item[key_field(name)]
    existing = find(session, name, key)
    if existing is not None:
        deleted = getattr(existing, "deleted_at", None) is not None
        raise Conflict(
            f"'{key}' " + ("was deleted; an admin can restore it" if deleted else "exists already")
        )
    return _save(session, name, item, author, "create", None)


def replace(session: Session, name: str, record: Any, raw: Any, author: str) -> Any:
    """Make `record` exactly `raw` (its id cannot change)."""
    field, key = key_field(name), public_id(record)
    body = raw if isinstance(raw, dict) else {}
    if body.get(field, key) != key:
        raise DatasetError([Problem(f"/{field}", "cannot change; create a new record")])
    item = validate_item(session, name, {**body, field: key})
    if item == _stored_item(session, name, record):
        return record  # nothing changes: no write, no revision, the same ETag
    return _save(session, name, item, author, "update", getattr(record, "version", None))


def _stored_item(session: Session, name: str, record: Any) -> Item | None:
    """The record as a loaded item; None when it no longer passes today's checks (a text
    stored before the limits, say), so that any valid change to it is a change."""
    try:
        return checks.load(name, history.snapshot(session, name, record))
    except ValidationError:
        return None


def change(session: Session, name: str, record: Any, patch: dict[str, Any], author: str) -> Any:
    """Apply a JSON merge patch (RFC 7396): members given replace, `null` removes."""
    current = history.snapshot(session, name, record)
    return replace(session, name, record, merge_patch(current, patch), author)


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def delete(session: Session, name: str, record: Any, author: str) -> None:
    """Events are hidden (soft delete); other records go only when nothing refers to them."""
    before = history.snapshot(session, name, record)
    if name == "events":
        record.deleted_at = datetime.now(UTC)
    else:
        if _in_use(session, record):
            raise Conflict(f"'{public_id(record)}' is still referred to; change those first")
        session.delete(record)
    session.flush()
    history.record(session, name, public_id(record), "delete", author, before, None)


def restore_deleted(session: Session, event: Event, author: str) -> Event:
    if event.deleted_at is None:
        raise Conflict(f"'{event.slug}' is not deleted")
    event.deleted_at = None
    event.updated_at = datetime.now(UTC)
    session.flush()
    item = history.snapshot(session, "events", event)
    history.record(session, "events", event.slug, "restore", author, None, item)
    return event


def restore_revision(session: Session, revision: Revision, author: str) -> Any:
    """Make the record what it was after `revision`: itself a new revision."""
    name, state = revision.record_type, revision.after
    if state is None:
        raise Conflict(f"revision {revision.id} deleted the record; restore an earlier one")
    item = validate_item(session, name, state)
    record = find(session, name, revision.record_id)
    if isinstance(record, Event) and record.deleted_at is not None:
        record.deleted_at = None
        session.flush()
    return _save(session, name, item, author, "restore", None)


def _in_use(session: Session, record: Any) -> bool:
    checks: list[Any] = []
    if isinstance(record, Actor):
        checks = [exists().where(EventActor.actor_id == record.id)]
    elif isinstance(record, Source):
        checks = [
            exists().where(table.source_id == record.id)
            for table in (Citation, AlternativeDate, SeriesPoint)
        ]
    elif isinstance(record, Tag):
        checks = [exists().where(event_tags.c.tag_id == record.id)]
    elif isinstance(record, EventType):
        checks = [exists().where(Event.type_id == record.id)]
    elif isinstance(record, Event):
        checks = [exists().where(EventLink.to_event_id == record.id)]
    return any(session.scalar(select(check)) for check in checks)
