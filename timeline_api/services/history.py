"""Revisions: every change to every record, who made it, and the record before and after."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from timeline_api.models import Revision


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
