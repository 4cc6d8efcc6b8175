"""Writing one record: create, change, replace, delete, restore. Each call is one transaction
(the caller commits), validated whole before anything is written, and kept as a revision."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

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
from timeline_api.services import dataset, history, records
from timeline_api.services.checks import key_field
from timeline_api.services.dataset import DatasetError, Problem


class Conflict(Exception):
    """The change contradicts stored data: a duplicate id, a record still in use."""


class Gone(Exception):
    """The record was deleted."""


def validate_item(session: Session, name: str, raw: Any) -> dict[str, Any]:
    """One item, validated as a data file of one; problems point into the item itself."""
    try:
        return dataset.validate(session, {name: [raw]})[name][0]  # type: ignore[no-any-return]
    except DatasetError as error:
        prefix = f"/{name}/0"
        raise DatasetError(
            [
                Problem(problem.pointer.removeprefix(prefix) or "/", problem.detail)
                for problem in error.problems
            ]
        ) from None


def _save(session: Session, name: str, record: Any, item: dict[str, Any]) -> Any:
    kind = records.KINDS[name]
    with session.no_autoflush:  # a half-filled record must not be flushed by a lookup
        kind.fill(session, record, item)
    session.add(record)
    if name == "events":
        session.flush()
        records.link_events(session, [item])
    if hasattr(record, "updated_at"):
        record.updated_at = datetime.now(UTC)  # also makes the version counter move
    session.flush()
    return record


def create(session: Session, name: str, raw: Any, author: str) -> Any:
    item = validate_item(session, name, raw)
    kind, key = records.KINDS[name], item[key_field(name)]
    existing = records.find(session, kind, [key]).get(key)
    if existing is not None:
        deleted = getattr(existing, "deleted_at", None) is not None
        raise Conflict(
            f"'{key}' " + ("was deleted; an admin can restore it" if deleted else "exists already")
        )
    record = _save(session, name, kind.model(), item)
    history.record(session, name, key, "create", author, None, kind.to_item(record))
    return record


def replace(session: Session, name: str, record: Any, raw: Any, author: str) -> Any:
    """Make `record` exactly `raw` (its id cannot change)."""
    kind, field = records.KINDS[name], key_field(name)
    before = kind.to_item(record)
    body = raw if isinstance(raw, dict) else {}
    if body.get(field, before[field]) != before[field]:
        raise DatasetError([Problem(f"/{field}", "cannot change; create a new record")])
    item = validate_item(session, name, {**body, field: before[field]})
    _save(session, name, record, item)
    history.record(session, name, before[field], "update", author, before, kind.to_item(record))
    return record


def change(session: Session, name: str, record: Any, patch: dict[str, Any], author: str) -> Any:
    """Apply a JSON merge patch (RFC 7396): members given replace, `null` removes."""
    current = records.KINDS[name].to_item(record)
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
    kind = records.KINDS[name]
    before = kind.to_item(record)
    if name == "events":
        record.deleted_at = datetime.now(UTC)
    else:
        if _in_use(session, record):
            raise Conflict(f"'{before[key_field(name)]}' is still referred to; change those first")
        session.delete(record)
    session.flush()
    history.record(session, name, before[key_field(name)], "delete", author, before, None)


def restore_deleted(session: Session, event: Event, author: str) -> Event:
    if event.deleted_at is None:
        raise Conflict(f"'{event.slug}' is not deleted")
    event.deleted_at = None
    event.updated_at = datetime.now(UTC)
    session.flush()
    item = records.KINDS["events"].to_item(event)
    history.record(session, "events", event.slug, "restore", author, None, item)
    return event


def restore_revision(session: Session, revision: Revision, author: str) -> Any:
    """Make the record what it was after `revision`: itself a new revision."""
    name, state = revision.record_type, revision.after
    if state is None:
        raise Conflict(f"revision {revision.id} deleted the record; restore an earlier one")
    kind = records.KINDS[name]
    record = records.find(session, kind, [revision.record_id]).get(revision.record_id)
    before = kind.to_item(record) if record is not None else None
    item = validate_item(session, name, state)
    if record is None:
        record = kind.model()
    if isinstance(record, Event):
        record.deleted_at = None
    _save(session, name, record, item)
    history.record(
        session, name, revision.record_id, "restore", author, before, kind.to_item(record)
    )
    return record


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
