"""Revisions: every change to every record, who made it, and the record before and after."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from timeline_api.datafile import SCHEMAS, Item
from timeline_api.datafile.fastload import dump
from timeline_api.models import Country, Revision
from timeline_api.queries import stored


def snapshot(session: Session, name: str, record: Any) -> Item:
    """The stored record as the data file writes it: what a revision keeps."""
    session.flush()
    key = record.code if isinstance(record, Country) else record.id
    [item] = stored.items(session, name, [key])
    return dump(SCHEMAS[name], item)  # type: ignore[no-any-return]


def record(
    session: Session,
    record_type: str,
    record_id: str,
    action: str,
    author: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> Revision:
    """Keep one change; it commits or rolls back with the change itself."""
    revision = Revision(
        record_type=record_type,
        record_id=record_id,
        action=action,
        author=author,
        created_at=datetime.now(UTC),
        before=before,
        after=after,
    )
    session.add(revision)
    return revision
